"""The models are checked by mypy as subclasses of the declared Base but built on db.Model.

portal/models/base.py names Model = Base for the type checker and db.Model at run time. That
is only sound while db.Model is built from Base: the same registry and metadata (so the same
naming convention, and the tables the migrations compare against).
"""
from portal.extensions import NAMING_CONVENTION, Base, db
from portal.models import StageTally
from portal.models.base import Model


def test_models_are_built_on_flask_sqlalchemy_model_from_base():
    assert Model is db.Model
    assert db.Model.registry is Base.registry
    assert db.Model.metadata is Base.metadata
    assert Base.metadata.naming_convention == NAMING_CONVENTION


def test_a_model_is_mapped_in_the_declared_registry():
    assert StageTally.__table__ is Base.metadata.tables["stage_tallies"]
    assert StageTally in {mapper.class_ for mapper in Base.registry.mappers}
