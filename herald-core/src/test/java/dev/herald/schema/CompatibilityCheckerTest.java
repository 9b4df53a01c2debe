package dev.herald.schema;

import static dev.herald.schema.TestSchemas.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each compatibility rule, checked in each direction. A {@link Change} is a change from an old to a new
 * version with the reasons expected when the new version reads old data (BACKWARD) and when the old
 * version reads new data (FORWARD); FULL must report both, labelled.
 */
class CompatibilityCheckerTest {

    record Change(String name, String previous, String next, List<Incompatibility> backward, List<Incompatibility> forward) {

        @Override
        public String toString() {
            return name;
        }
    }

    private static Incompatibility at(String pointer, String reason) {
        return new Incompatibility(pointer, reason);
    }

    /** A one-property object schema, the property's schema given. */
    private static String property(String name, String schema) {
        return "{'type': 'object', 'properties': {'" + name + "': " + schema + "}}";
    }

    static Stream<Change> changes() {
        return Stream.of(
                new Change("optional field added", "{'type': 'object', 'properties': {'a': {'type': 'string'}}}",
                        "{'type': 'object', 'properties': {'a': {'type': 'string'}, 'b': {'type': 'integer'}}}",
                        List.of(), List.of()),
                new Change("required field added", "{'type': 'object', 'properties': {'a': {'type': 'string'}}}",
                        "{'type': 'object', 'required': ['b'], 'properties': {'a': {'type': 'string'}, 'b': {'type': 'integer'}}}",
                        List.of(at("", "new required field 'b'")), List.of()),
                new Change("optional field made required", "{'type': 'object', 'properties': {'a': {'type': 'string'}}}",
                        "{'type': 'object', 'required': ['a'], 'properties': {'a': {'type': 'string'}}}",
                        List.of(at("", "new required field 'a'")), List.of()),
                new Change("field removed from a closed model",
                        "{'type': 'object', 'additionalProperties': false, 'properties': {'a': {}, 'b': {}}}",
                        "{'type': 'object', 'additionalProperties': false, 'properties': {'a': {}}}",
                        List.of(at("/properties/b", "field removed")), List.of()),
                new Change("field forbidden with false", property("b", "{'type': 'string'}"), property("b", "false"),
                        List.of(at("/properties/b", "field removed")), List.of()),
                new Change("additionalProperties closed", "{'type': 'object', 'properties': {'a': {}}}",
                        "{'type': 'object', 'properties': {'a': {}}, 'additionalProperties': false}",
                        List.of(at("", "additionalProperties closed")), List.of()),
                new Change("unevaluatedProperties closed", "{'type': 'object'}",
                        "{'type': 'object', 'unevaluatedProperties': false}",
                        List.of(at("", "unevaluatedProperties closed")), List.of()),
                new Change("additionalProperties typed", "{'type': 'object', 'additionalProperties': {'type': ['string', 'integer']}}",
                        "{'type': 'object', 'additionalProperties': {'type': 'string'}}",
                        List.of(at("/additionalProperties", "type narrowed from [string, integer] to [string]")), List.of()),
                new Change("nullable removed", property("dismissed_at", "{'type': ['string', 'null']}"),
                        property("dismissed_at", "{'type': 'string'}"),
                        List.of(at("/properties/dismissed_at", "type narrowed from [string, null] to [string]")), List.of()),
                new Change("integer widened to number", property("n", "{'type': 'integer'}"), property("n", "{'type': 'number'}"),
                        List.of(), List.of(at("/properties/n", "type narrowed from [number] to [integer]"))),
                new Change("type constraint added", property("n", "{}"), property("n", "{'type': 'integer'}"),
                        List.of(at("/properties/n", "type narrowed from any to [integer]")), List.of()),
                new Change("enum value removed", property("severity", "{'enum': ['low', 'high', 'critical']}"),
                        property("severity", "{'enum': ['low', 'high']}"),
                        List.of(at("/properties/severity", "enum value 'critical' removed")), List.of()),
                new Change("enum added", property("state", "{'type': 'string'}"),
                        property("state", "{'type': 'string', 'enum': ['open', 'closed']}"),
                        List.of(at("/properties/state", "enum added [\"open\",\"closed\"]")), List.of()),
                new Change("const changed", property("kind", "{'const': 'push'}"), property("kind", "{'const': 'tag_push'}"),
                        List.of(at("/properties/kind", "const changed from 'push' to 'tag_push'")),
                        List.of(at("/properties/kind", "const changed from 'tag_push' to 'push'"))),
                new Change("const numerically equal", property("n", "{'const': 1}"), property("n", "{'const': 1.0}"),
                        List.of(), List.of()),
                new Change("maxLength lowered", property("title", "{'type': 'string', 'maxLength': 255}"),
                        property("title", "{'type': 'string', 'maxLength': 100}"),
                        List.of(at("/properties/title", "maxLength lowered from 255 to 100")), List.of()),
                new Change("minLength raised", property("title", "{'type': 'string'}"),
                        property("title", "{'type': 'string', 'minLength': 1}"),
                        List.of(at("/properties/title", "minLength added (1)")), List.of()),
                new Change("minimum raised", property("n", "{'type': 'integer', 'minimum': 0}"),
                        property("n", "{'type': 'integer', 'minimum': 1}"),
                        List.of(at("/properties/n", "minimum raised from >= 0 to >= 1")), List.of()),
                new Change("minimum made exclusive", property("n", "{'type': 'number', 'minimum': 0}"),
                        property("n", "{'type': 'number', 'exclusiveMinimum': 0}"),
                        List.of(at("/properties/n", "minimum raised from >= 0 to > 0")), List.of()),
                new Change("maximum lowered", property("n", "{'type': 'number', 'maximum': 10}"),
                        property("n", "{'type': 'number', 'exclusiveMaximum': 5}"),
                        List.of(at("/properties/n", "maximum lowered from <= 10 to < 5")), List.of()),
                new Change("multipleOf changed", property("n", "{'type': 'integer', 'multipleOf': 4}"),
                        property("n", "{'type': 'integer', 'multipleOf': 2}"),
                        List.of(), List.of(at("/properties/n", "multipleOf changed from 2 to 4"))),
                new Change("maxItems lowered", property("tags", "{'type': 'array', 'maxItems': 10}"),
                        property("tags", "{'type': 'array', 'maxItems': 5}"),
                        List.of(at("/properties/tags", "maxItems lowered from 10 to 5")), List.of()),
                new Change("minItems raised", property("tags", "{'type': 'array', 'minItems': 1}"),
                        property("tags", "{'type': 'array', 'minItems': 2}"),
                        List.of(at("/properties/tags", "minItems raised from 1 to 2")), List.of()),
                new Change("uniqueItems added", property("tags", "{'type': 'array'}"),
                        property("tags", "{'type': 'array', 'uniqueItems': true}"),
                        List.of(at("/properties/tags", "uniqueItems added")), List.of()),
                new Change("pattern changed", property("ref", "{'type': 'string', 'pattern': '^refs/'}"),
                        property("ref", "{'type': 'string', 'pattern': '^refs/heads/'}"),
                        List.of(at("/properties/ref", "pattern changed from ^refs/ to ^refs/heads/")),
                        List.of(at("/properties/ref", "pattern changed from ^refs/heads/ to ^refs/"))),
                new Change("format added", property("at", "{'type': 'string'}"), property("at", "{'type': 'string', 'format': 'date-time'}"),
                        List.of(at("/properties/at", "format added (date-time)")), List.of()),
                new Change("items narrowed", property("ids", "{'type': 'array', 'items': {'type': ['string', 'integer']}}"),
                        property("ids", "{'type': 'array', 'items': {'type': 'string'}}"),
                        List.of(at("/properties/ids/items", "type narrowed from [string, integer] to [string]")), List.of()),
                new Change("items closed after a tuple", property("pair", "{'type': 'array', 'prefixItems': [{'type': 'string'}]}"),
                        property("pair", "{'type': 'array', 'prefixItems': [{'type': 'string'}], 'items': false}"),
                        List.of(at("/properties/pair", "items closed")), List.of()),
                new Change("nested object narrowed", property("author", "{'type': 'object', 'properties': {'email': {'type': ['string', 'null']}}}"),
                        property("author", "{'type': 'object', 'required': ['email'], 'properties': {'email': {'type': 'string'}}}"),
                        List.of(at("/properties/author", "new required field 'email'"),
                                at("/properties/author/properties/email", "type narrowed from [string, null] to [string]")),
                        List.of()),
                new Change("definition narrowed behind a $ref",
                        "{'type': 'object', 'properties': {'ids': {'type': 'array', 'items': {'$ref': '#/$defs/id'}}}, '$defs': {'id': {'type': 'object', 'properties': {'name': {'type': 'string'}}}}}",
                        "{'type': 'object', 'properties': {'ids': {'type': 'array', 'items': {'$ref': '#/$defs/id'}}}, '$defs': {'id': {'type': 'object', 'properties': {'name': {'type': 'string', 'maxLength': 10}}}}}",
                        List.of(at("/$defs/id/properties/name", "maxLength added (10)")), List.of()),
                new Change("anyOf alternative narrowed", property("sha", "{'anyOf': [{'type': 'string', 'maxLength': 64}, {'type': 'null'}]}"),
                        property("sha", "{'anyOf': [{'type': 'string', 'maxLength': 40}, {'type': 'null'}]}"),
                        List.of(at("/properties/sha/anyOf/0", "maxLength lowered from 64 to 40")), List.of()),
                new Change("oneOf alternative removed", property("id", "{'oneOf': [{'type': 'string'}, {'type': 'integer'}]}"),
                        property("id", "{'oneOf': [{'type': 'string'}]}"),
                        List.of(at("/properties/id/oneOf/0", "type narrowed from [integer] to [string]")), List.of()),
                new Change("nullable union rewritten as anyOf", property("x", "{'type': ['string', 'null']}"),
                        property("x", "{'anyOf': [{'type': 'string'}, {'type': 'null'}]}"),
                        List.of(), List.of()),
                new Change("opaque keyword changed", property("x", "{'not': {'type': 'string'}}"),
                        property("x", "{'not': {'type': 'integer'}}"),
                        List.of(at("/properties/x", "not changed")), List.of(at("/properties/x", "not changed"))),
                new Change("annotations only", "{'title': 'A', 'description': 'old', 'type': 'object', 'x-herald-aliases': ['https://a.example/1']}",
                        "{'title': 'B', 'description': 'new', 'examples': [{}], 'type': 'object'}",
                        List.of(), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void backwardLetsTheNewVersionReadOldData(Change change) {
        assertThat(CompatibilityChecker.check(Compatibility.BACKWARD, json(change.previous()), json(change.next())))
                .containsExactlyElementsOf(change.backward());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void forwardLetsTheOldVersionReadNewData(Change change) {
        assertThat(CompatibilityChecker.check(Compatibility.FORWARD, json(change.previous()), json(change.next())))
                .containsExactlyElementsOf(change.forward());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void fullReportsBothDirectionsLabelled(Change change) {
        List<Incompatibility> expected = new ArrayList<>();
        change.backward().forEach(i -> expected.add(at(i.pointer(), "backward: " + i.reason())));
        change.forward().forEach(i -> expected.add(at(i.pointer(), "forward: " + i.reason())));

        assertThat(CompatibilityChecker.check(Compatibility.FULL, json(change.previous()), json(change.next())))
                .containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void noneAcceptsAnything(Change change) {
        assertThat(CompatibilityChecker.check(Compatibility.NONE, json(change.previous()), json(change.next()))).isEmpty();
    }

    @Test
    void recursiveSchemasTerminate() {
        JsonNode tree = json("{'type': 'object', 'properties': {'children': {'type': 'array', 'items': {'$ref': '#'}}, 'name': {'type': ['string', 'null']}}}");
        JsonNode narrowed = json("{'type': 'object', 'properties': {'children': {'type': 'array', 'items': {'$ref': '#'}}, 'name': {'type': 'string'}}}");

        assertThat(CompatibilityChecker.check(Compatibility.FULL, tree, tree)).isEmpty();
        assertThat(CompatibilityChecker.compare(narrowed, tree))
                .containsExactly(at("/properties/name", "type narrowed from [string, null] to [string]"));
    }

    @Test
    void reasonsPointAtPropertyNamesEscaped() {
        assertThat(CompatibilityChecker.compare(json(property("a/b~c", "{'type': 'string'}")), json(property("a/b~c", "{}"))))
                .containsExactly(at("/properties/a~1b~0c", "type narrowed from any to [string]"));
    }

    @Test
    void aReferenceToAnotherDocumentMustStayTheSame() {
        JsonNode external = json(property("p", "{'$ref': 'https://example.com/person.json'}"));

        assertThat(CompatibilityChecker.compare(external, external)).isEmpty();
        assertThat(CompatibilityChecker.compare(external, json(property("p", "{'type': 'object'}"))))
                .containsExactly(at("/properties/p",
                        "$ref https://example.com/person.json cannot be followed, so compatibility cannot be shown"));
    }
}
