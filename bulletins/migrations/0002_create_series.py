"""The two series the centre publishes exist out of the box (slugs are fixed URLs)."""

from django.db import migrations

PUBLISHER = "北京市卫生健康大数据与政策研究中心"
SERIES = [
    {
        "slug": "weekly",
        "name": "全国卫生信息化舆情监测周报",
        "short_name": "周报",
        "frequency": "weekly",
        "position": 1,
        "description": "每周汇集全国主流媒体及政府网站有关卫生健康信息化、大数据与政策研究的报道。",
    },
    {
        "slug": "monthly",
        "name": "北京市卫生信息化舆情监测月报",
        "short_name": "月报",
        "frequency": "monthly",
        "position": 2,
        "description": "每月汇集与北京市卫生健康信息化相关的媒体报道与政策动态。",
    },
]


def create_series(apps, schema_editor):
    Series = apps.get_model("bulletins", "Series")
    for fields in SERIES:
        slug = fields["slug"]
        defaults = {k: v for k, v in fields.items() if k != "slug"}
        Series.objects.get_or_create(slug=slug, defaults={**defaults, "publisher": PUBLISHER})


def remove_series(apps, schema_editor):
    Series = apps.get_model("bulletins", "Series")
    Series.objects.filter(slug__in=[s["slug"] for s in SERIES], issues__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("bulletins", "0001_initial")]

    operations = [migrations.RunPython(create_series, remove_series)]
