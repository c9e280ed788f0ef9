"""JSON-LD straight to RDF quads, for the shapes credentials take.

pyld spends most of a credential's canonicalization in expansion: it re-processes the same
type-scoped contexts at every node and copies dictionaries on the way, then builds a node map
before writing a single quad. This walker visits the compact document once, following pyld's
expansion (``_expand``, ``_prepare_nested_context``, ``_expand_object``) step for step, and
writes quads as it goes. It reuses pyld's own context processing, IRI expansion and literal
conversion, so the terms mean exactly what they mean to pyld; what it adds is memoisation,
which is sound because pyld's active contexts are immutable.

Anything outside that subset (value objects, ``@list``/``@set``/``@graph``/``@nest``/
``@reverse``/``@included`` keywords, index, language, id and type maps, ``@json``, language
tagging, and every case that safe mode would refuse) raises :class:`Unsupported`; the caller
then falls back to pyld, which decides exactly as before.

The walker is written against pyld 3.3's private functions (pyproject pins ``pyld~=3.3.0``);
:func:`check_pyld` tells when an installed pyld no longer has them, so that canonicalization
turns the walker off and uses plain pyld instead of failing.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pyld import jsonld

from contexts import StaticDocumentLoader
from credentials.rdfc import IRI_NEEDS_ESCAPE, RDF_LANGSTRING, XSD_STRING, Quad, literal_term

XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDF_FIRST = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first>"
RDF_REST = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>"
RDF_NIL = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#nil>"
UNSUPPORTED_CONTAINERS = frozenset({"@language", "@index", "@id", "@type"})
WHITESPACE = re.compile(r"\s")  # an IRI holding any is not absolute to pyld's toRdf


# pyld's private methods the walker calls, each with the arguments it passes (after ``self``).
PYLD_PRIVATE_CALLS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "_get_initial_context": (({},), {}),
    "_process_context": (({}, {}, {}), {"override_protected": False, "propagate": True}),
    "_expand_iri": (({}, ""), {"base": None, "vocab": True}),
    "_object_to_rdf": (({}, None, [], {}), {}),
}


class Unsupported(Exception):
    """The document needs JSON-LD features this walker leaves to pyld."""


class PyldChanged(Exception):
    """The installed pyld is not the one the walker was written against."""


def check_pyld() -> None:
    """Raise :class:`PyldChanged` unless every private pyld method the walker calls exists
    and accepts the arguments the walker passes."""
    for name, (args, kwargs) in PYLD_PRIVATE_CALLS.items():
        method = getattr(jsonld.JsonLdProcessor, name, None)
        if not callable(method):
            raise PyldChanged(f"pyld's JsonLdProcessor has no {name}()")
        try:
            inspect.signature(method).bind(None, *args, **kwargs)
        except (TypeError, ValueError) as error:
            raise PyldChanged(f"pyld's JsonLdProcessor.{name}() no longer takes the "
                              f"walker's arguments ({error})") from error


def is_absolute_iri(value: str) -> bool:
    """An IRI that toRdf keeps: a scheme, a colon, and no white space anywhere."""
    scheme, colon, _ = value.partition(":")
    return bool(colon) and scheme.isascii() and scheme[:1].isalpha() and all(
        c.isalnum() or c in "+-." for c in scheme) and not WHITESPACE.search(value)


def is_plain_iri(value: str) -> bool:
    """An absolute IRI that N-Quads writes as it is, with no character escaped."""
    return is_absolute_iri(value) and not IRI_NEEDS_ESCAPE.search(value)


@dataclass(frozen=True, slots=True)
class Term:
    """What an active context says about one key, looked up once."""
    iri: str | None
    type: str | None
    containers: frozenset[str]
    scoped: Any  # the term's own (property-scoped) context, or None
    tagged: bool  # a default language or direction applies to its strings
    reverse: bool
    predicate: str | None  # "<iri>" when the key expands to an absolute IRI


class ContextMemo:
    """Per loader and thread: context transitions, term lookups and IRI expansions.

    Entries keyed by ``id()`` keep the objects they were made from, so an identifier is never
    mistaken for a later object's; the whole memo is dropped when it grows past ``LIMIT``.
    """

    LIMIT = 20_000

    def __init__(self, loader: StaticDocumentLoader) -> None:
        self.processor = jsonld.JsonLdProcessor()
        self.options = {**loader.jsonld_options(), "isFrame": False,
                        "keepFreeFloatingNodes": False, "processingMode": "json-ld-1.1",
                        "extractAllScripts": False, "produceGeneralizedRdf": False}
        try:
            self.initial = self.processor._get_initial_context(self.options)
        except (AttributeError, TypeError) as error:
            raise PyldChanged(f"pyld's _get_initial_context() failed: {error!r}") from error
        self._transitions: dict[tuple[Any, ...], tuple[Any, Any, Any]] = {}
        self._terms: dict[int, tuple[Any, dict[str | None, Term]]] = {}
        self._iris: dict[int, tuple[Any, dict[tuple[str, bool], str | None]]] = {}
        self._iri_terms: dict[str, str] = {}
        self.nodes: dict[tuple[int, str, str], NodeTemplate] = {}

    def _trim(self) -> None:
        if (len(self._transitions) + len(self._terms) + len(self._iris)
                + len(self._iri_terms)) > self.LIMIT:
            self._transitions.clear()
            self._terms.clear()
            self._iris.clear()
            self._iri_terms.clear()
            self.nodes.clear()

    def process(self, active: Any, local: Any, override_protected: bool = False,
                propagate: bool = True) -> Any:
        """pyld's ``_process_context``, once per (context, local context, flags)."""
        if isinstance(local, str):
            local_key: Any = local
        elif isinstance(local, list) and all(isinstance(c, str) for c in local):
            local_key = tuple(local)
        else:
            local_key = ("object", id(local))
        key = (id(active), local_key, override_protected, propagate)
        entry = self._transitions.get(key)
        if entry is not None and entry[0] is active and (
                not isinstance(local_key, tuple) or local_key[:1] != ("object",)
                or entry[1] is local):
            return entry[2]
        self._trim()
        result = self.processor._process_context(
            active, local, self.options, override_protected=override_protected,
            propagate=propagate)
        self._transitions[key] = (active, local, result)
        return result

    def iri(self, ctx: Any, value: str, vocab: bool) -> str | None:
        """pyld's ``_expand_iri`` with no document base (relative IRIs stay relative)."""
        entry = self._iris.get(id(ctx))
        if entry is None or entry[0] is not ctx:
            self._trim()
            entry = self._iris[id(ctx)] = (ctx, {})
        memo = entry[1]
        key = (value, vocab)
        if key not in memo:
            memo[key] = self.processor._expand_iri(ctx, value, base=None, vocab=vocab)
        return memo[key]

    def iri_term(self, value: str) -> str:
        """``<value>`` for an absolute IRI N-Quads can carry as it is, else Unsupported."""
        term = self._iri_terms.get(value)
        if term is None:
            if not is_plain_iri(value):
                raise Unsupported(f"not an absolute IRI: {value!r}")
            self._trim()
            term = self._iri_terms[value] = f"<{value}>"
        return term

    def term(self, ctx: Any, key: str | None) -> Term:
        entry = self._terms.get(id(ctx))
        if entry is None or entry[0] is not ctx:
            self._trim()
            entry = self._terms[id(ctx)] = (ctx, {})
        memo = entry[1]
        term = memo.get(key)
        if term is None:
            value = jsonld.JsonLdProcessor.get_context_value
            mapping = ctx["mappings"].get(key) if key is not None else None
            iri = self.iri(ctx, key, True) if key is not None else None
            term = memo[key] = Term(
                iri=iri,
                type=value(ctx, key, "@type"),
                containers=frozenset(jsonld.JsonLdProcessor.arrayify(
                    value(ctx, key, "@container"))),
                scoped=value(ctx, key, "@context"),
                tagged=value(ctx, key, "@language") is not None
                or value(ctx, key, "@direction") is not None,
                reverse=bool(mapping and mapping.get("reverse")),
                predicate=f"<{iri}>" if iri is not None and is_plain_iri(iri) else None)
        return term


# A node's quads with its blank nodes as offsets from the first label its walk made.
Template = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class NodeTemplate:
    """The walk of one identified node object (an achievement, an issuer), kept so that the
    same JSON under the same context is written again without walking it: our credentials
    repeat the same achievement, rubric and issuer for every learner."""
    context: Any  # kept alive, so the id() in the key is never another object's
    subject: str | int
    quads: tuple[Template, ...]
    blanks: int


class QuadWriter:
    """One document's walk: blank node labels, and the quads written so far."""

    # What a remembered node may hold: enough for any achievement, too little to matter.
    TEMPLATE_MAX_QUADS = 4_000
    TEMPLATE_MAX_TEXT = 256 * 1024
    TEMPLATE_MAX_NODES = 512

    def __init__(self, memo: ContextMemo) -> None:
        self.memo = memo
        self.quads: set[Quad] = set()
        self._next = 0
        self._labels: dict[str, str] = {}
        self._remembering = False
        self._names_blank = False

    def blank(self) -> str:
        label = f"_:b{self._next}"
        self._next += 1
        return label

    def _node_id(self, value: str | None) -> str:
        """A subject or object term for an expanded identifier, refusing what safe mode
        refuses (relative IRIs, undefined terms)."""
        if value is None:
            raise Unsupported("identifier expands to nothing")
        if value.startswith("_:"):
            self._names_blank = True  # such a label is document-wide: no template
            if value not in self._labels:
                self._labels[value] = self.blank()
            return self._labels[value]
        return self.memo.iri_term(value)

    def document(self, document: Any) -> set[Quad]:
        """Walk ``document``; its quads (top-level scalars are dropped, as in expansion)."""
        for _item in self._values(self.memo.initial, None, document, False, ""):
            pass
        return self.quads

    # -- values -------------------------------------------------------------------------

    def _values(self, ctx: Any, prop: str | None, element: Any, inside_list: bool,
                graph: str, graph_items: bool = False) -> Iterator[tuple[str, Any]]:
        """Expanded items of ``element`` as ("node", term) or ("literal", term); with
        ``graph_items`` each node goes into a graph of its own and
        the item names that graph."""
        if element is None:
            return
        if isinstance(element, list):
            inside = inside_list or "@list" in self.memo.term(ctx, prop).containers
            for item in element:
                if inside and isinstance(item, list):
                    raise Unsupported("list of lists")
                yield from self._values(ctx, prop, item, inside, graph, graph_items)
            return
        if isinstance(element, dict):
            if graph_items:
                named = self.blank()
                self._node(ctx, prop, element, named)
                yield ("node", named)
            else:
                yield ("node", self._node(ctx, prop, element, graph))
            return
        if not inside_list and prop is None:
            return  # free-floating scalar: dropped by expansion
        item = self._scalar(ctx, prop, element)
        if graph_items:
            if item[0] != "node":
                raise Unsupported("literal in a graph container")
            yield ("node", self.blank())  # a graph holding only a reference: no quads
            return
        yield item

    def _scalar(self, ctx: Any, prop: str | None, value: Any) -> tuple[str, str]:
        """pyld's ``_expand_value`` then ``_object_to_rdf``, for one JSON scalar."""
        term = self.memo.term(ctx, prop)
        if term.iri is None or term.iri.startswith("@"):
            raise Unsupported(f"scalar under keyword {prop!r}")
        if isinstance(value, str) and term.type in ("@id", "@vocab"):
            return ("node", self._node_id(self.memo.iri(ctx, value, term.type == "@vocab")))
        if term.type == "@json":
            raise Unsupported("@json literal")
        datatype = term.type if term.type not in (None, "@id", "@vocab", "@none") else None
        if isinstance(value, str):
            if datatype is None and term.tagged:
                raise Unsupported("language-tagged string")
            if datatype != XSD_DOUBLE:
                return ("literal", self._literal(value, datatype or XSD_STRING))
        item = {"@value": value, **({"@type": datatype} if datatype else {})}
        converted = self.memo.processor._object_to_rdf(item, None, [], self.memo.options)
        return ("literal", self._literal(converted["value"], converted["datatype"]))

    @staticmethod
    def _literal(value: str, datatype: str) -> str:
        if datatype != XSD_STRING and (datatype == RDF_LANGSTRING or not is_plain_iri(datatype)):
            raise Unsupported(f"datatype {datatype!r}")
        return literal_term(value, datatype)

    # -- node objects ---------------------------------------------------------------------

    def _node(self, ctx: Any, prop: str | None, element: dict[str, Any], graph: str) -> str:
        """Expand one node object in ``graph``, write its quads, return its subject; an
        identified node under a property is written from its template when one is known."""
        key = self._template_key(ctx, prop, element, graph)
        if key is None:
            return self._walk_node(ctx, prop, element, graph)
        template = self.memo.nodes.get(key)
        if template is not None and template.context is ctx:
            return self._from_template(template)
        outer, first = self.quads, self._next
        self.quads, self._remembering, self._names_blank = set(), True, False
        try:
            subject = self._walk_node(ctx, prop, element, graph)
        finally:
            written, self.quads, self._remembering = self.quads, outer, False
        outer.update(written)
        if not self._names_blank and len(written) <= self.TEMPLATE_MAX_QUADS:
            if len(self.memo.nodes) >= self.TEMPLATE_MAX_NODES:
                self.memo.nodes.clear()
            self.memo.nodes[key] = NodeTemplate(
                ctx, _offset(subject, first), tuple(tuple(_offset(term, first)
                                                          for term in quad)
                                                    for quad in written),
                self._next - first)
        return subject

    def _template_key(self, ctx: Any, prop: str | None, element: dict[str, Any],
                      graph: str) -> tuple[int, str, str] | None:
        """The template key of a node worth remembering: under a property, in the default
        graph, with an identifier, and naming no blank node (those are document-wide)."""
        if self._remembering or prop is None or graph:
            return None
        identifier = element.get("id", element.get("@id"))
        if not isinstance(identifier, str) or identifier.startswith("_:"):
            return None
        # repr() of JSON data (dicts, lists, strings, numbers, booleans, None) tells equal
        # data from unequal, 1 from 1.0 from True, at half the cost of json.dumps.
        text = repr(element)
        if len(text) > self.TEMPLATE_MAX_TEXT or "'_:" in text or '"_:' in text:
            return None
        return (id(ctx), prop, text)

    def _from_template(self, template: NodeTemplate) -> str:
        first = self._next
        self._next += template.blanks
        self.quads.update(tuple(_label(term, first) for term in quad)  # type: ignore[misc]
                          for quad in template.quads)
        return _label(template.subject, first)

    def _walk_node(self, ctx: Any, prop: str | None, element: dict[str, Any],
                   graph: str) -> str:
        memo = self.memo
        property_scoped = memo.term(ctx, prop).scoped if prop is not None else None
        items = sorted(element.items())
        previous = ctx.get("previousContext")
        revert = True
        if previous is not None and len(element) <= 2 and "@context" not in element:
            for key, _value in items:
                expanded = memo.iri(ctx, key, True)
                if expanded == "@value":
                    raise Unsupported("value object")
                if expanded == "@id" and len(element) == 1:
                    revert = False
                    break
        if revert and previous is not None:
            ctx = previous
        if property_scoped is not None:
            ctx = memo.process(ctx, property_scoped, override_protected=True)
        if "@context" in element:
            ctx = memo.process(ctx, element["@context"])
        type_scoped = ctx
        for key, value in items:
            if memo.iri(ctx, key, True) != "@type":
                continue
            types = value if isinstance(value, list) else [value]
            for type_ in sorted(t for t in types if isinstance(t, str)):
                scoped = memo.term(type_scoped, type_).scoped
                if scoped is not None and scoped is not False:
                    ctx = memo.process(ctx, scoped, propagate=False)

        subject: str | None = None
        pending: list[tuple[str, str]] = []
        for key, value in items:
            if key == "@context":
                continue
            expanded = memo.iri(ctx, key, True)
            if expanded is None:
                raise Unsupported(f"undefined term {key!r}")
            if expanded.startswith("@"):
                if expanded == "@id":
                    if not isinstance(value, str):
                        raise Unsupported("@id that is not a string")
                    if subject is not None:
                        raise Unsupported("colliding @id keys")
                    subject = self._node_id(memo.iri(ctx, value, False))
                elif expanded == "@type":
                    for type_ in value if isinstance(value, list) else [value]:
                        if not isinstance(type_, str):
                            raise Unsupported("@type that is not a string")
                        pending.append((RDF_TYPE, self._node_id(
                            memo.iri(type_scoped, type_, True))))
                else:
                    raise Unsupported(f"keyword {expanded}")
                continue
            self._property(ctx, key, value, graph, pending)

        subject = subject or self.blank()
        for predicate, obj in pending:
            self.quads.add((subject, predicate, obj, graph))
        return subject

    def _property(self, ctx: Any, key: str, value: Any, graph: str,
                  pending: list[tuple[str, str]]) -> None:
        """Expand one property's value; add (predicate, object) pairs to ``pending``."""
        term = self.memo.term(ctx, key)
        predicate = term.predicate
        if predicate is None:
            raise Unsupported(f"term {key!r} expands to {term.iri!r}")
        if term.containers & UNSUPPORTED_CONTAINERS or term.type == "@json" or term.reverse:
            raise Unsupported(f"term {key!r} needs a container or form left to pyld")
        term_ctx = ctx
        if term.scoped is not None:
            term_ctx = self.memo.process(ctx, term.scoped, override_protected=True)
        if "@graph" in term.containers:
            if "@list" in term.containers:
                raise Unsupported("list in a graph container")
            for _kind, named in self._values(term_ctx, key, value, False, graph, True):
                pending.append((predicate, named))
            return
        items = self._values(term_ctx, key, value, False, graph)
        if "@list" in term.containers:
            pending.append((predicate, self._list([obj for _kind, obj in items], graph)))
            return
        for _kind, obj in items:
            pending.append((predicate, obj))

    def _list(self, items: list[str], graph: str) -> str:
        """An RDF collection of ``items``; returns its head."""
        if not items:
            return RDF_NIL
        nodes = [self.blank() for _ in items]
        for index, obj in enumerate(items):
            self.quads.add((nodes[index], RDF_FIRST, obj, graph))
            following = nodes[index + 1] if index + 1 < len(items) else RDF_NIL
            self.quads.add((nodes[index], RDF_REST, following, graph))
        return nodes[0]


def _offset(term: str, first: int) -> str | int:
    """A blank node label made at or after label number ``first`` as its offset from it."""
    return int(term[3:]) - first if term.startswith("_:b") else term


def _label(term: str | int, first: int) -> str:
    return f"_:b{first + term}" if isinstance(term, int) else term


def to_quads(document: Mapping[str, Any], memo: ContextMemo) -> set[Quad]:
    """The RDF dataset of ``document``, or :class:`Unsupported`."""
    try:
        return QuadWriter(memo).document(document)
    except (jsonld.JsonLdError, KeyError, TypeError, AttributeError, ValueError) as error:
        raise Unsupported(str(error)) from error
