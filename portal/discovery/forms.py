"""Discovery forms: start a crawl run, inspect one site."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

MAX_SEEDS = 50


def parse_seeds(text: str) -> tuple[list[str], list[str]]:
    """Split typed seeds (one per line, or spaces) into (valid http(s) URLs, rejected lines)."""
    seeds, bad = [], []
    for item in (text or "").split():
        try:
            parts = urlsplit(item)
            ok = parts.scheme in {"http", "https"} and bool(parts.hostname)
        except ValueError:
            ok = False
        if ok and item not in seeds:
            seeds.append(item)
        elif not ok:
            bad.append(item)
    return seeds, bad


def _url(text: str) -> bool:
    seeds, bad = parse_seeds(text)
    return len(seeds) == 1 and not bad


class CrawlRunForm(FlaskForm):
    area = SelectField("Area", widget=GovSelect(), coerce=int, choices=[],
                       validators=[InputRequired("Choose the area to search for")])
    seeds = TextAreaField("Seed pages", widget=GovTextArea(),
                          validators=[DataRequired("Enter at least one seed page"), Length(max=20_000)])
    max_pages = IntegerField("Most pages to fetch", widget=GovTextInput(),
                             validators=[InputRequired("Enter the most pages to fetch"),
                                         NumberRange(1, 100_000, "Enter a number from 1 up")])
    max_depth = IntegerField("Most links inside a site", widget=GovTextInput(),
                             validators=[InputRequired("Enter how many links deep to go inside a site"),
                                         NumberRange(0, 10, "Enter a number from 0 to 10")])
    max_site_hops = IntegerField("Most sites away from a seed", widget=GovTextInput(),
                                 # Optional: a form posted without it (older pages, scripts) gets the
                                 # configured default, as an absent limit does everywhere else.
                                 validators=[Optional(), NumberRange(0, 10, "Enter a number from 0 to 10")])
    submit = SubmitField("Start crawl", widget=GovSubmitInput())

    def validate_seeds(self, field) -> None:
        seeds, bad = parse_seeds(field.data)
        if bad:
            raise ValidationError(f"These are not web addresses starting with http:// or https://: "
                                  f"{', '.join(bad[:3])}")
        if not seeds:
            raise ValidationError("Enter at least one seed page")
        if len(seeds) > MAX_SEEDS:
            raise ValidationError(f"Enter at most {MAX_SEEDS} seed pages")
        self.seed_list = seeds


class InspectForm(FlaskForm):
    area = SelectField("Area", widget=GovSelect(), coerce=int, choices=[],
                       validators=[InputRequired("Choose the area to score it against")])
    url = StringField("Site address", widget=GovTextInput(),
                      validators=[DataRequired("Enter the site's web address"), Length(max=1000)])
    submit = SubmitField("Inspect", widget=GovSubmitInput())

    def validate_url(self, field) -> None:
        if not _url(field.data):
            raise ValidationError("Enter a web address starting with http:// or https://, "
                                  "like https://lewes-forum.example/")
