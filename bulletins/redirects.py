"""Old addresses of sources and tags: /sources/<old-slug>/ answers 301 to the current page.

Renaming (a changed slug, see ``models.Renamable``) and merging (``upkeep.py``) leave a
``SlugRedirect`` behind. A public view that finds no source or tag under a slug asks
``resolve()`` (or answers with ``moved_permanently()``) before giving up with 404; the
source and tag pages do, and their feeds can in the same way.
"""

from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpResponsePermanentRedirect

from .models import SlugRedirect


def resolve(model, slug: str):
    """The object of ``model`` that ``slug`` used to name, or None."""
    object_id = (
        SlugRedirect.objects.filter(
            content_type=ContentType.objects.get_for_model(model), old_slug=slug
        )
        .values_list("object_id", flat=True)
        .first()
    )
    if object_id is None:
        return None
    return model._default_manager.filter(pk=object_id).first()


def moved_permanently(request, model, slug: str, url_of=None):
    """301 to where ``slug`` lives now (``url_of(obj)``, by default its page), query kept.

    Raises Http404 when the slug never named anything.
    """
    target = resolve(model, slug)
    if target is None:
        raise Http404(f"no {model._meta.model_name} {slug!r}")
    url = url_of(target) if url_of else target.get_absolute_url()
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


def move(model, from_pks, to_obj) -> None:
    """Redirects that led to objects about to be merged away lead to ``to_obj`` instead."""
    SlugRedirect.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=list(from_pks)
    ).update(object_id=to_obj.pk)


def merged(to_obj, merged_obj) -> None:
    """``merged_obj``'s slug (and id, for restoring old versions) now lead to ``to_obj``."""
    SlugRedirect.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(to_obj),
        old_slug=merged_obj.slug,
        defaults={"object_id": to_obj.pk, "merged_pk": merged_obj.pk},
    )
