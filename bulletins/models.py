"""The bulletin archive: series, issues, the articles they reprint, sources and tags.

``Issue.objects.published()`` and ``Article.objects.published()`` are the one
definition of what the public may see; every public view, feed and count starts there.
"""

import datetime
import uuid
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Abs, Coalesce
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext_lazy as _

from .permalinks import permalink
from .text import cleaning, formatting, numerals
from .text.markdown import WEB_SCHEMES, first_paragraph, render_markdown

web_url_validator = URLValidator(
    schemes=WEB_SCHEMES,
    message=_("请输入以 http:// 或 https:// 开头的网址。"),
    code="not_web_url",  # not "invalid", which form fields replace with their own message
)


class CleanText:
    """For a text field: what it stores is ``cleaning.clean_text`` of what it is given.

    Whatever writes it: a form or full_clean() (``to_python``), save() and bulk_create()
    (``pre_save``, which also cleans the object in memory), update() and lookups
    (``get_prep_value``). So a stored text never holds a character a feed cannot carry.
    """

    cleaner = staticmethod(cleaning.clean_text)

    def to_python(self, value):
        value = super().to_python(value)
        return self.cleaner(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if isinstance(value, str):
            value = self.cleaner(value)
            setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return self.cleaner(value) if isinstance(value, str) else value


class CleanTextField(CleanText, models.TextField):
    """Text of several lines (导语, 正文, 简介)."""


class CleanCharField(CleanText, models.CharField):
    """One line of text (names, titles): a line break in it becomes a space."""

    cleaner = staticmethod(cleaning.clean_line)


# The dates an archive of the centre's bulletins can hold (and a computation can take).
FIRST_DATE = datetime.date(1949, 1, 1)
LAST_DATE = datetime.date(2100, 12, 31)


class ArchiveDateField(models.DateField):
    """A date between FIRST_DATE and LAST_DATE; the message names the field."""

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if value is not None and not FIRST_DATE <= value <= LAST_DATE:
            raise ValidationError(
                _("%(label)s应在%(first)s至%(last)s之间。"),
                code="date_out_of_range",
                params={
                    "label": self.verbose_name,
                    "first": formatting.chinese_date(FIRST_DATE),
                    "last": formatting.chinese_date(LAST_DATE),
                },
            )


def within_range(day: datetime.date) -> datetime.date:
    """``day``, or the nearest date of the range (for rows written before it was checked)."""
    return min(max(day, FIRST_DATE), LAST_DATE)


class WebURLField(CleanText, models.URLField):
    """A link to a web page: http(s) only; a bare domain typed into a form is taken as https."""

    cleaner = staticmethod(cleaning.clean_line)

    default_validators = [web_url_validator]

    def formfield(self, **kwargs):
        field = super().formfield(**{"assume_scheme": "https", **kwargs})
        # The form's own URL check also accepts ftp://; this one says what is expected.
        field.validators = [web_url_validator]
        return field


# The centre that edits and publishes the bulletins.
PUBLISHER = "北京市卫生健康大数据与政策研究中心"
# Search engines show about this many Chinese characters of a page's description.
META_DESCRIPTION_LENGTH = 150


def unique_slug(model, name: str, instance_pk=None, field: str = "slug") -> str:
    """A readable Unicode slug for ``name``, made unique within ``model``."""
    base = slugify(name, allow_unicode=True)[:80] or "item"
    slug, n = base, 2
    while model._default_manager.filter(**{field: slug}).exclude(pk=instance_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def also_update(kwargs: dict, changed: str, *computed: str) -> dict:
    """save() kwargs in which an update_fields naming ``changed`` names ``computed`` too.

    save(update_fields=…), which update_or_create() uses, writes only the fields it names:
    the fields save() computes from ``changed`` must be written with it.
    """
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and changed in update_fields:
        kwargs["update_fields"] = {*update_fields, *computed}
    return kwargs


class Series(models.Model):
    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("每周")
        MONTHLY = "monthly", _("每月")

    name = CleanCharField(_("名称"), max_length=100, unique=True)
    short_name = CleanCharField(_("简称"), max_length=20, help_text=_("例如：周报、月报"))
    slug = models.SlugField(
        _("网址名"), max_length=40, unique=True, help_text=_("出现在网址中，发布后请勿修改。")
    )
    frequency = models.CharField(_("频率"), max_length=10, choices=Frequency.choices)
    publisher = CleanCharField(_("编发单位"), max_length=100, default=PUBLISHER)
    description = CleanTextField(_("简介"), blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("系列")
        verbose_name_plural = _("系列")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return permalink("bulletins:series-archive", kwargs={"series": self.slug})


class IssueQuerySet(models.QuerySet):
    def published(self):
        """Issues the public may see: published, and their publication time has come."""
        return self.filter(status=Issue.Status.PUBLISHED, published_at__lte=timezone.now())

    def with_article_count(self):
        # A correlated subquery, not a JOIN + GROUP BY: a page of issues counts the
        # articles of its own issues instead of aggregating the whole archive first.
        counts = (
            Article.objects.filter(issue=models.OuterRef("pk"))
            .order_by()
            .values("issue")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(article_count=Coalesce(models.Subquery(counts), 0))

    def newest_first(self):
        # Explicit, because Meta.ordering is dropped from aggregate (GROUP BY) queries.
        return self.order_by("-publication_date", "-number")


class Issue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        REVIEW = "review", _("待审核")
        PUBLISHED = "published", _("已发布")

    series = models.ForeignKey(
        Series, on_delete=models.PROTECT, related_name="issues", verbose_name=_("系列")
    )
    number = models.PositiveIntegerField(_("期号"), help_text=_("阿拉伯数字，如 636。"))
    publication_date = ArchiveDateField(_("出刊日期"))
    period_start = ArchiveDateField(_("监测起始日"), null=True, blank=True)
    period_end = ArchiveDateField(_("监测截止日"), null=True, blank=True)
    intro = CleanTextField(_("本期导语"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        _("公开时间"),
        null=True,
        blank=True,
        help_text=_("状态为“已发布”且到达此时间后对公众可见；设为将来的时间即定时发布。"),
    )
    # Set by the workflow (workflow.py) when a reviewer publishes or schedules the issue.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("签发人"),
    )
    approved_at = models.DateTimeField(_("签发时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-publication_date", "-number"]
        get_latest_by = "publication_date"
        verbose_name = _("期刊")
        verbose_name_plural = _("期刊")
        permissions = [("publish_issue", _("审核期刊：发布、定时发布、撤回"))]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="unique_issue_number"),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_start__lte=models.F("period_end")),
                name="issue_period_in_order",
                violation_error_message=_("监测起始日不能晚于截止日。"),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "published_at"], name="issue_public_idx"),
            models.Index(fields=["series", "-publication_date"], name="issue_series_date_idx"),
            # Newest first across series (home, archive, feeds) and the year filter.
            models.Index(fields=["-publication_date", "-number"], name="issue_newest_idx"),
        ]

    def __str__(self):
        return f"{self.series.short_name} {self.label}"

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **also_update(kwargs, "status", "published_at"))

    def get_absolute_url(self):
        return permalink(
            "bulletins:issue-detail", kwargs={"series": self.series.slug, "number": self.number}
        )

    @property
    def publication_time(self) -> datetime.datetime:
        """When the issue came out, as feeds and metadata date it, in the site's time zone.

        Its 公开时间 when that falls on or before its publication date; otherwise (an old
        issue put online later, e.g. imported) the start of its publication date. A date
        stored outside FIRST_DATE–LAST_DATE (before they were checked) counts as the
        nearest one in that range, so that no computation overflows.
        """
        start = timezone.make_aware(
            datetime.datetime.combine(within_range(self.publication_date), datetime.time())
        )
        end_of_day = start + datetime.timedelta(days=1)
        if self.published_at is not None and self.published_at < end_of_day:
            return timezone.localtime(self.published_at)
        return start

    @property
    def label(self) -> str:
        """第六三六期"""
        return numerals.issue_label(self.number)

    @property
    def title(self) -> str:
        return f"{self.series.name}（{self.label}）"

    def generated_intro(self, article_count: int | None = None) -> str:
        """The centre's standard 导语 sentence, built from this issue's data."""
        if article_count is None:
            # len() of .all() uses prefetched articles when the view loaded them.
            article_count = len(self.articles.all()) if self.pk else 0
        return formatting.standard_intro(
            self.series.short_name, article_count, self.period_start, self.period_end
        )

    @property
    def sign_off(self) -> str:
        """签发：张伟 2025年8月8日: who approved the issue and when, for the printed bulletin."""
        if self.approved_at is None:
            return ""
        return formatting.sign_off(
            formatting.person_name(self.approved_by) if self.approved_by else "",
            timezone.localtime(self.approved_at).date(),
        )

    @property
    def display_intro(self) -> str:
        """The editor's own 导语, or the standard sentence when they left it blank."""
        return self.intro or self.generated_intro()

    @property
    def meta_description(self) -> str:
        """For search results and shared links: the 导语, shortened."""
        return Truncator(self.display_intro).chars(META_DESCRIPTION_LENGTH, truncate="…")

    def is_published(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    is_published.boolean = True
    is_published.short_description = _("公开可见")

    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )


class SlugRedirectManager(models.Manager):
    def remember(self, obj, old_slug: str) -> None:
        """``old_slug`` now leads to ``obj``; ``obj``'s own slug redirects nowhere."""
        content_type = ContentType.objects.get_for_model(obj)
        self.update_or_create(
            content_type=content_type, old_slug=old_slug, defaults={"object_id": obj.pk}
        )
        self.filter(content_type=content_type, old_slug=obj.slug).delete()

    def target(self, model, slug: str):
        """The object of ``model`` that ``slug`` used to name, or None."""
        object_id = (
            self.filter(content_type=ContentType.objects.get_for_model(model), old_slug=slug)
            .values_list("object_id", flat=True)
            .first()
        )
        if object_id is None:
            return None
        return model._default_manager.filter(pk=object_id).first()

    def move(self, model, from_pks, to_obj) -> None:
        """Redirects that led to objects about to be merged away lead to ``to_obj`` instead."""
        self.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=list(from_pks)
        ).update(object_id=to_obj.pk)

    def merged(self, to_obj, merged_obj) -> None:
        """``merged_obj``'s slug (and id, for restoring old versions) now lead to ``to_obj``."""
        self.update_or_create(
            content_type=ContentType.objects.get_for_model(to_obj),
            old_slug=merged_obj.slug,
            defaults={"object_id": to_obj.pk, "merged_pk": merged_obj.pk},
        )


class SlugRedirect(models.Model):
    """An old address of a source or tag that was renamed or merged into another one.

    The public source and tag pages answer an unknown slug found here with a permanent
    redirect to the object's current page (``permalinks.moved_permanently``).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    old_slug = models.CharField(_("旧网址名"), max_length=100)
    # The id of a source or tag merged into the target: old versions that cite it are
    # restored citing the target instead (history.py).
    merged_pk = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = SlugRedirectManager()

    class Meta:
        ordering = ["old_slug"]
        verbose_name = _("旧网址转向")
        verbose_name_plural = _("旧网址转向")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "old_slug"], name="unique_old_slug"),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="slugredirect_target_idx"),
        ]

    def __str__(self):
        return f"{self.old_slug} → {self.target}"


class Renamable(models.Model):
    """A source or tag: a readable slug made from the name; a changed slug keeps redirecting."""

    redirects = GenericRelation(SlugRedirect)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        model = type(self)
        stored = None
        if not self._state.adding:
            stored = model._default_manager.filter(pk=self.pk).values("name", "slug").first()
        if not self.slug:
            self.slug = unique_slug(model, self.name, self.pk)
        super().save(*args, **also_update(kwargs, "name", "slug"))
        if stored is not None:
            self.renamed(old_name=stored["name"], old_slug=stored["slug"])

    def renamed(self, old_name: str, old_slug: str) -> None:
        if old_slug != self.slug:
            SlugRedirect.objects.remember(self, old_slug)


class Source(Renamable):
    class Kind(models.TextChoices):
        CENTRAL = "central", _("中央媒体")
        LOCAL = "local", _("地方媒体")
        GOVERNMENT = "government", _("政府网站")
        INDUSTRY = "industry", _("行业媒体")
        OTHER = "other", _("其他")

    name = CleanCharField(_("名称"), max_length=100, unique=True)
    slug = models.SlugField(
        _("网址名"),
        max_length=100,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text=_("留空则按名称自动生成；发布后请勿修改。"),
    )
    homepage = WebURLField(_("主页"), blank=True)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        ordering = ["name"]
        verbose_name = _("来源")
        verbose_name_plural = _("来源")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return permalink("bulletins:source-detail", kwargs={"slug": self.slug})

    def renamed(self, old_name: str, old_slug: str) -> None:
        super().renamed(old_name, old_slug)
        if old_name != self.name:
            # Documents citing the old name still find this source.
            SourceAlias.objects.get_or_create(name=old_name, defaults={"source": self})
            SourceAlias.objects.filter(name=self.name, source=self).delete()


class SourceAlias(models.Model):
    """Another name under which documents cite a source (e.g. 人民网 / 人民网-人民日报)."""

    name = CleanCharField(_("别名"), max_length=100, unique=True)
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("来源")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("来源别名")
        verbose_name_plural = _("来源别名")

    def __str__(self):
        return f"{self.name} → {self.source.name}"


class Tag(Renamable):
    name = CleanCharField(_("名称"), max_length=50, unique=True)
    slug = models.SlugField(
        _("网址名"),
        max_length=60,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text=_("留空则按名称自动生成；发布后请勿修改。"),
    )
    description = CleanTextField(_("说明"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("标签")
        verbose_name_plural = _("标签")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return permalink("bulletins:tag-detail", kwargs={"slug": self.slug})


# An article's 序号 within its issue. Set aside during a reordering, a position is
# negative for a moment (see ArticleQuerySet.step_aside), which never overflows.
FIRST_POSITION, LAST_POSITION = 1, 999


def free_positions(taken) -> Iterator[int]:
    """The positions an issue whose articles stand at ``taken`` can give new articles, in
    the order to give them: after the last one, then (when 999 is taken) the gaps."""
    taken = {position for position in taken if position is not None and position > 0}
    last = max(taken, default=0)
    yield from range(last + 1, LAST_POSITION + 1)
    yield from (n for n in range(FIRST_POSITION, min(last, LAST_POSITION + 1)) if n not in taken)


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles the public may see: those whose issue is published."""
        return self.filter(
            issue__status=Issue.Status.PUBLISHED, issue__published_at__lte=timezone.now()
        )

    def newest_first(self):
        return self.order_by("-issue__publication_date", "-issue_id", "position")

    def for_listing(self):
        """What a list of articles shows: issue, series, source and tags, in few queries."""
        return self.select_related("issue__series", "source").prefetch_related("tags")

    def step_aside(self) -> int:
        """Move these articles to positions no one uses, before they are given new ones.

        (issue, position) is unique and checked row by row, so two articles can only swap
        places if both first leave theirs. An article set aside has its position negated:
        it fits the column whatever the position was, and a second step aside leaves it
        where it is. Sends no signal: the saves that follow (or deletions) do.
        """
        return self.update(position=-Abs(models.F("position")))

    def next_position(self) -> int:
        """The 序号 a new article among these (an issue's articles) gets: see
        free_positions. An issue holding 999 articles has none left: 1000, which
        validation refuses."""
        taken = self.filter(position__gt=0).values_list("position", flat=True)
        return next(free_positions(taken), LAST_POSITION + 1)


class Article(models.Model):
    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="articles", verbose_name=_("所属期刊")
    )
    position = models.SmallIntegerField(
        _("序号"),
        blank=True,
        validators=[
            MinValueValidator(FIRST_POSITION, _("序号应在1至999之间。")),
            MaxValueValidator(LAST_POSITION, _("序号应在1至999之间。")),
        ],
        help_text=_("文章在本期中的顺序，1至999；留空则排在本期最后。"),
    )
    title = CleanCharField(_("标题"), max_length=300)
    original_title = CleanCharField(
        _("来源标题"), max_length=300, blank=True, help_text=_("原文标题与本标题不同时填写。")
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("来源"),
        null=True,
        blank=True,
    )
    original_url = WebURLField(_("原文链接"), max_length=500, blank=True)
    original_date = ArchiveDateField(_("原文日期"), null=True, blank=True)
    body = CleanTextField(
        _("正文"),
        blank=True,
        help_text=_("Markdown：空行分段，### 小标题，**加粗**，单独一段 *图片说明*。"),
    )
    body_html = CleanTextField(editable=False, blank=True)
    summary = CleanCharField(editable=False, max_length=200, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("标签"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["issue", "position"]
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        constraints = [
            models.UniqueConstraint(fields=["issue", "position"], name="unique_article_position"),
        ]
        indexes = [
            models.Index(fields=["original_date"], name="article_original_date_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.position is None:  # left blank: the next free one
            self.position = Article.objects.filter(issue_id=self.issue_id).next_position()
        self.render_body()
        super().save(*args, **also_update(kwargs, "body", "body_html", "summary"))

    def get_absolute_url(self):
        return permalink("bulletins:article-detail", kwargs={"pk": self.pk})

    def render_body(self):
        """body_html and summary from the Markdown body (also run when restoring a backup)."""
        self.body = cleaning.clean_text(self.body)
        self.body_html = render_markdown(self.body)
        self.summary = first_paragraph(self.body)

    @property
    def meta_description(self) -> str:
        """For search results and shared links: the first paragraph, else the title."""
        return self.summary or self.title

    @property
    def anchor(self) -> str:
        """Fragment id of this article on its issue page."""
        return f"article-{self.position}"

    @property
    def location_in_issue(self) -> str:
        return f"{self.issue.get_absolute_url()}#{self.anchor}"


class PendingImport(models.Model):
    """A bulletin file uploaded in the admin, kept between its review and the confirmation.

    Stored in the database so that any app server can finish what another started; the
    confirmation names the upload, never resends its content. Old ones are cleared when new
    files are uploaded (settings.BULLETIN_IMPORT_KEEP_HOURS).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    batch = models.UUIDField(_("批次"), db_index=True)
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("上传人")
    )
    name = models.CharField(_("文件名"), max_length=255)
    data = models.BinaryField(_("文件内容"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)
    # What the file was read as, kept so that no page parses it twice (admin/imports.py).
    parsed = models.JSONField(_("解析结果"), null=True, blank=True, editable=False)
    # Once confirmed: waiting, imported or not, and what the editor was told.
    outcome = models.JSONField(_("导入结果"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["batch", "position"]
        verbose_name = _("待确认的导入文件")
        verbose_name_plural = _("待确认的导入文件")

    def __str__(self):
        return self.name


class SearchDocument(models.Model):
    """An article's entry in the full-text index (see bulletins/search/).

    These columns are the facts search results are sorted and narrowed by, copied from
    the article and its issue so that a search reads one table. The index itself
    (tsvectors and GIN indexes on PostgreSQL, an FTS5 table on SQLite) is added by
    migration 0005_search, and only bulletins.search.index writes any of it.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    issue = models.ForeignKey(
        Issue, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    series = models.ForeignKey(
        Series, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    publication_date = models.DateField()
    position = models.PositiveSmallIntegerField()
    tag_ids = models.TextField(blank=True)  # " 3 7 12 ", for facet counts

    class Meta:
        verbose_name = _("检索索引条目")
        verbose_name_plural = _("检索索引条目")
        indexes = [
            # Newest first, as Article.objects.newest_first() orders.
            models.Index(
                fields=["-publication_date", "-issue", "position"], name="search_newest_idx"
            ),
        ]

    def __str__(self):
        return str(self.article_id)


class ContentVersion(models.Model):
    """The content version as the database records it: one row, rewritten when public
    content changes (caching/version.py). The shared cache holds a copy for speed; this row
    is the authority when the cache lost a write, stalled or restarted empty."""

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()
    next_publication = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("内容版本")
        verbose_name_plural = _("内容版本")

    def __str__(self):
        return self.token


class PendingSignOffQuerySet(models.QuerySet):
    def link(self, usernames=None) -> int:
        """Give each pending sign-off (of ``usernames``, or all) whose account exists now to
        its issue as 签发人; returns how many issues were linked.

        A sign-off that no longer applies (the issue was withdrawn, or signed off again by
        someone else since) is forgotten, not linked. Each issue is saved, so that its pages
        change at once.
        """
        pending = self.select_related("issue")
        if usernames is not None:
            pending = pending.filter(username__in=list(usernames))
        pending = list(pending)
        if not pending:
            return 0
        user_model = get_user_model()
        accounts = {
            user.get_username(): user
            for user in user_model._default_manager.filter(
                **{f"{user_model.USERNAME_FIELD}__in": {p.username for p in pending}}
            )
        }
        linked = 0
        for sign_off in pending:
            account = accounts.get(sign_off.username)
            if account is None:
                continue
            issue = sign_off.issue
            if issue.approved_by_id is None and issue.approved_at is not None:
                issue.approved_by = account
                issue.save(update_fields=["approved_by"])
                linked += 1
            sign_off.delete()
        return linked


class PendingSignOff(models.Model):
    """A sign-off restored from a backup before its account existed (bulletins/backup/):
    the 签发人's username, given to the issue as ``approved_by`` as soon as an account of
    that name is saved (``link_pending_sign_offs``), or at the next restore."""

    issue = models.OneToOneField(
        Issue,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="pending_sign_off",
        verbose_name=_("期刊"),
    )
    username = models.CharField(_("签发人用户名"), max_length=150, db_index=True)

    objects = PendingSignOffQuerySet.as_manager()

    class Meta:
        verbose_name = _("待关联的签发人")
        verbose_name_plural = _("待关联的签发人")

    def __str__(self):
        return self.username


def link_pending_sign_offs(sender, instance, raw=False, update_fields=None, **kwargs):
    """An account saved with a username that pending sign-offs name: link them."""
    if raw:
        return
    if update_fields is not None and instance.USERNAME_FIELD not in update_fields:
        return  # a login (last_login), say: the username did not change
    PendingSignOff.objects.link([instance.get_username()])


post_save.connect(
    link_pending_sign_offs,
    sender=settings.AUTH_USER_MODEL,
    dispatch_uid="bulletins-link-pending-sign-offs",
)
