"""Flask extensions, created unbound and initialised in create_app."""
from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so migrations are portable between SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    if TYPE_CHECKING:
        # SQLAlchemy types __table__ as any FromClause (a model may map a join); every model
        # here maps one Table, and Core update()/delete() on Model.__table__ need a Table.
        __table__: ClassVar[Table]


def include_in_schema_comparison(name: str | None, type_: str, parent_names: dict) -> bool:
    """Leave SQLite's FTS5 search index (migration 0029; a virtual table, not a model), its
    covering listing index (migration 0032, SQLite only) and PostgreSQL's search key (migration
    0039: a generated column and its trigram index) out of autogenerate's comparison of the
    models with the database."""
    from portal.models.search_index import COVERING_INDEX, is_search_index_table
    from portal.models.search_key import is_search_key

    return not ((type_ == "table" and is_search_index_table(name)) or (type_ == "index" and name == COVERING_INDEX)
                or is_search_key(name, type_, parent_names))


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True, include_name=include_in_schema_comparison)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
