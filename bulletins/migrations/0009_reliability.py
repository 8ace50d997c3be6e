# Original links and source homepages accept only http(s) URLs (no database change).

import bulletins.models
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('bulletins', '0008_import'),
    ]

    operations = [
        migrations.AlterField(
            model_name='article',
            name='original_url',
            field=bulletins.models.WebURLField(blank=True, max_length=500, verbose_name='原文链接'),
        ),
        migrations.AlterField(
            model_name='source',
            name='homepage',
            field=bulletins.models.WebURLField(blank=True, verbose_name='主页'),
        ),
    ]
