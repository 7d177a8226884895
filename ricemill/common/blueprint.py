"""The API's Blueprint: flask-smorest's, with one argument schema instance per schema class.

Given a schema class, `blp.arguments(...)` hands it to webargs, which builds a new instance on every
request (`Parser._get_schema`); building one (its fields bound and copied) cost more than loading a
small body. Every domain's routes use this Blueprint, so a class given to `arguments` is turned into
one instance, built once per class and shared by every route that names it. Instances given on
purpose (`SomeSchema(partial=True)`) are used as they are.
"""

from flask_smorest import Blueprint as SmorestBlueprint

from .schemas import schema_instance


class Blueprint(SmorestBlueprint):
    def arguments(self, schema, **kwargs):
        return super().arguments(schema_instance(schema), **kwargs)
