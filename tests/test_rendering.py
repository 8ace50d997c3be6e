"""Article bodies: the summary readers see in lists, feeds and descriptions."""

from bulletins.text.markdown import first_paragraph


def test_summary_keeps_literal_text_and_drops_markdown():
    body = "### 小标题\n\n**加粗**的正文里有 <script>x</script> 和 a > b 的比较，[原文](https://a.cn)。"
    assert first_paragraph(body) == "加粗的正文里有 <script>x</script> 和 a > b 的比较，原文。"


def test_summary_skips_photo_captions_and_short_lines():
    body = "*会场一角 新华社记者 摄*\n\n短行\n\n第一段真正的正文，讲的是智慧医院的建设。"
    assert first_paragraph(body) == "第一段真正的正文，讲的是智慧医院的建设。"


def test_summary_is_shortened_with_an_ellipsis():
    summary = first_paragraph("医" * 300, limit=20)
    assert summary == "医" * 19 + "…"
