"""The analysis of one module: the walker with its scopes and bindings (scopes.py), what
expressions refer to (values.py) and walks over syntax alone (syntax.py)."""

from asynclint.analysis.scopes import Analysis, Scope, module_backend
from asynclint.analysis.values import ClassInfo, ClassRef, FuncDef, Instance, Ref, Value

__all__ = ["Analysis", "ClassInfo", "ClassRef", "FuncDef", "Instance", "Ref", "Scope", "Value", "module_backend"]
