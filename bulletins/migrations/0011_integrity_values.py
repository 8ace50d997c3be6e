# Values the archive can always publish (issue 20):
# - every text field stores clean text (bulletins/text/cleaning.py): existing rows are
#   cleaned here, the fields clean whatever is written from now on;
# - dates are checked to lie between 1949-01-01 and 2100-12-31 (no database change);
# - an article's position is 1-999 in forms and full_clean, and a signed small integer in
#   the database, so that setting positions aside (negating them) never overflows.

import bulletins.models
import django.core.validators
from django.db import IntegrityError, migrations, models, transaction

from bulletins.text import cleaning

# model: {field: cleaner}
CLEANED = {
    "series": {
        "name": cleaning.clean_line,
        "short_name": cleaning.clean_line,
        "publisher": cleaning.clean_line,
        "description": cleaning.clean_text,
    },
    "issue": {"intro": cleaning.clean_text},
    "source": {"name": cleaning.clean_line, "homepage": cleaning.clean_line},
    "sourcealias": {"name": cleaning.clean_line},
    "tag": {"name": cleaning.clean_line, "description": cleaning.clean_text},
    "article": {
        "title": cleaning.clean_line,
        "original_title": cleaning.clean_line,
        "original_url": cleaning.clean_line,
        "body": cleaning.clean_text,
        "body_html": cleaning.clean_text,
        "summary": cleaning.clean_line,
    },
}


def clean_stored_text(apps, schema_editor):
    """Rows written before the fields cleaned their text: clean it (a no-op for most)."""
    for model_name, cleaners in CLEANED.items():
        model = apps.get_model("bulletins", model_name)
        fields = ["pk", *cleaners]
        for row in model._base_manager.values(*fields).iterator(chunk_size=500):
            cleaned = {
                name: clean(row[name]) for name, clean in cleaners.items() if row[name]
            }
            changed = {name: value for name, value in cleaned.items() if value != row[name]}
            if changed:
                try:
                    with transaction.atomic():
                        model._base_manager.filter(pk=row["pk"]).update(**changed)
                except IntegrityError:
                    pass  # a name that, cleaned, is another's: left for an editor to merge


class Migration(migrations.Migration):

    dependencies = [
        ('bulletins', '0010_search'),
    ]

    operations = [
        migrations.AlterField(
            model_name='article',
            name='body',
            field=bulletins.models.CleanTextField(blank=True, help_text='Markdown：空行分段，### 小标题，**加粗**，单独一段 *图片说明*。', verbose_name='正文'),
        ),
        migrations.AlterField(
            model_name='article',
            name='body_html',
            field=bulletins.models.CleanTextField(blank=True, editable=False),
        ),
        migrations.AlterField(
            model_name='article',
            name='original_date',
            field=bulletins.models.ArchiveDateField(blank=True, null=True, verbose_name='原文日期'),
        ),
        migrations.AlterField(
            model_name='article',
            name='original_title',
            field=bulletins.models.CleanCharField(blank=True, help_text='原文标题与本标题不同时填写。', max_length=300, verbose_name='来源标题'),
        ),
        migrations.AlterField(
            model_name='article',
            name='position',
            field=models.SmallIntegerField(blank=True, help_text='文章在本期中的顺序，1至999；留空则排在本期最后。', validators=[django.core.validators.MinValueValidator(1, '序号应在1至999之间。'), django.core.validators.MaxValueValidator(999, '序号应在1至999之间。')], verbose_name='序号'),
        ),
        migrations.AlterField(
            model_name='article',
            name='summary',
            field=bulletins.models.CleanCharField(blank=True, editable=False, max_length=200),
        ),
        migrations.AlterField(
            model_name='article',
            name='title',
            field=bulletins.models.CleanCharField(max_length=300, verbose_name='标题'),
        ),
        migrations.AlterField(
            model_name='issue',
            name='intro',
            field=bulletins.models.CleanTextField(blank=True, verbose_name='本期导语'),
        ),
        migrations.AlterField(
            model_name='issue',
            name='period_end',
            field=bulletins.models.ArchiveDateField(blank=True, null=True, verbose_name='监测截止日'),
        ),
        migrations.AlterField(
            model_name='issue',
            name='period_start',
            field=bulletins.models.ArchiveDateField(blank=True, null=True, verbose_name='监测起始日'),
        ),
        migrations.AlterField(
            model_name='issue',
            name='publication_date',
            field=bulletins.models.ArchiveDateField(verbose_name='出刊日期'),
        ),
        migrations.AlterField(
            model_name='series',
            name='description',
            field=bulletins.models.CleanTextField(blank=True, verbose_name='简介'),
        ),
        migrations.AlterField(
            model_name='series',
            name='name',
            field=bulletins.models.CleanCharField(max_length=100, unique=True, verbose_name='名称'),
        ),
        migrations.AlterField(
            model_name='series',
            name='publisher',
            field=bulletins.models.CleanCharField(default='北京市卫生健康大数据与政策研究中心', max_length=100, verbose_name='编发单位'),
        ),
        migrations.AlterField(
            model_name='series',
            name='short_name',
            field=bulletins.models.CleanCharField(help_text='例如：周报、月报', max_length=20, verbose_name='简称'),
        ),
        migrations.AlterField(
            model_name='source',
            name='name',
            field=bulletins.models.CleanCharField(max_length=100, unique=True, verbose_name='名称'),
        ),
        migrations.AlterField(
            model_name='sourcealias',
            name='name',
            field=bulletins.models.CleanCharField(max_length=100, unique=True, verbose_name='别名'),
        ),
        migrations.AlterField(
            model_name='tag',
            name='description',
            field=bulletins.models.CleanTextField(blank=True, verbose_name='说明'),
        ),
        migrations.AlterField(
            model_name='tag',
            name='name',
            field=bulletins.models.CleanCharField(max_length=50, unique=True, verbose_name='名称'),
        ),
        # Last: on PostgreSQL, no table is altered after its rows are updated.
        migrations.RunPython(clean_stored_text, migrations.RunPython.noop),
    ]
