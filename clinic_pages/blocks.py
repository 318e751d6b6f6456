"""StreamField blocks editors build pages from; each renders through its own template."""

from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from wagtail import blocks

from clinic_pages.sanitize import sanitize_html


class HeadingBlock(blocks.CharBlock):
    class Meta:
        template = "clinic_pages/blocks/heading.html"
        icon = "title"
        label = _("Heading")
        form_classname = "title"
        description = _("A section heading (h2).")
        preview_value = "Как проходит приём"


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", ["bold", "italic", "link", "ol", "ul", "h3"])
        super().__init__(**kwargs)

    class Meta:
        template = "clinic_pages/blocks/paragraph.html"
        icon = "pilcrow"
        label = _("Paragraph")
        description = _("Text with bold, italic, lists and links.")
        preview_value = (
            "<p>Врач расспросит о жалобах, проведёт осмотр и при необходимости "
            "назначит обследование.</p>"
        )


class SafeHtmlBlock(blocks.RawHTMLBlock):
    """Raw HTML from an editor, sanitised when saved and again when shown."""

    def get_prep_value(self, value):
        return sanitize_html(str(super().get_prep_value(value) or ""))

    def to_python(self, value):
        return mark_safe(sanitize_html(value or ""))  # noqa: S308 - sanitised just now

    def get_default(self):
        return mark_safe("")

    class Meta:
        template = "clinic_pages/blocks/raw_html.html"
        icon = "code"
        label = _("HTML")
        description = _(
            "HTML pasted from elsewhere (a table, a price list). Scripts, styles and "
            "event handlers are removed."
        )
        preview_value = "<table><tr><th>Показатель</th><th>Норма</th></tr></table>"


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"))
    answer = blocks.RichTextBlock(label=_("Answer"), features=["bold", "italic", "link", "ul"])

    class Meta:
        template = "clinic_pages/blocks/question.html"
        icon = "help"
        label = _("Question and answer")
        description = _("One question patients ask, with the answer. Also sent to search engines.")
        preview_value = {
            "question": "Нужна ли подготовка к приёму?",
            "answer": "<p>Специальная подготовка не нужна. Возьмите с собой прошлые анализы.</p>",
        }


class SourceBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"))
    url = blocks.URLBlock(label=_("Link"), required=False)
    kind = blocks.ChoiceBlock(
        label=_("Kind"),
        choices=[
            ("guideline", _("Clinical guideline")),
            ("pubmed", _("PubMed article")),
            ("other", _("Other")),
        ],
        default="guideline",
    )

    class Meta:
        template = "clinic_pages/blocks/source.html"
        icon = "link"
        label = _("Source")
        description = _("A clinical guideline or publication the article relies on.")
        preview_value = {
            "title": "Клинические рекомендации «Артериальная гипертензия у взрослых», 2024",
            "url": "https://cr.minzdrav.gov.ru/",
            "kind": "guideline",
        }


class CertificateBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"))
    issued_by = blocks.CharBlock(label=_("Issued by"), required=False)
    year = blocks.IntegerBlock(label=_("Year"), min_value=1950, max_value=2100, required=False)

    class Meta:
        template = "clinic_pages/blocks/certificate.html"
        icon = "doc-full"
        label = _("Certificate")
        description = _("A certificate, accreditation or further training of the doctor.")
        preview_value = {
            "title": "Периодическая аккредитация по специальности «Терапия»",
            "issued_by": "Методический аккредитационно-симуляционный центр",
            "year": 2024,
        }


def content_blocks() -> list[tuple[str, blocks.Block]]:
    return [("heading", HeadingBlock()), ("paragraph", ParagraphBlock()), ("html", SafeHtmlBlock())]


def faq_blocks() -> list[tuple[str, blocks.Block]]:
    return [("question", QuestionBlock())]


class OpeningHoursBlock(blocks.StructBlock):
    days = blocks.MultipleChoiceBlock(
        label=_("Days"),
        choices=[
            ("Monday", _("Monday")),
            ("Tuesday", _("Tuesday")),
            ("Wednesday", _("Wednesday")),
            ("Thursday", _("Thursday")),
            ("Friday", _("Friday")),
            ("Saturday", _("Saturday")),
            ("Sunday", _("Sunday")),
        ],
    )
    opens = blocks.TimeBlock(label=_("Opens"))
    closes = blocks.TimeBlock(label=_("Closes"))

    class Meta:
        template = "clinic_pages/blocks/opening_hours.html"
        icon = "time"
        label = _("Opening hours")
        description = _("Days of the week with the same opening hours.")
        preview_value = {
            "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
            "opens": "08:00",
            "closes": "20:00",
        }
