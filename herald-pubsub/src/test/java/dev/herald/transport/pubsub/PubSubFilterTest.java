package dev.herald.transport.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.filter.Filter;
import dev.herald.transport.NativeFilter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which filters translate to Pub/Sub's filter syntax, and how the rest falls back to the client. */
class PubSubFilterTest {

    private static String translate(Filter filter) {
        return PubSubFilter.translate(filter.nativePart());
    }

    @Test
    void exactAndPrefixMatchesBecomeAttributeComparisons() {
        assertThat(translate(Filter.exact("type", "ci.pipeline.created")))
                .isEqualTo("attributes.ce-type = \"ci.pipeline.created\"");
        assertThat(translate(Filter.prefix("subject", "gid://gitlab/Project/1/")))
                .isEqualTo("hasPrefix(attributes.ce-subject, \"gid://gitlab/Project/1/\")");
        assertThat(translate(Filter.exact("project", "gid://gitlab/Project/1")))
                .as("an extension is a ce- attribute too").isEqualTo("attributes.ce-project = \"gid://gitlab/Project/1\"");
        assertThat(translate(Filter.exact("datacontenttype", "application/json")))
                .as("the binding carries datacontenttype as content-type")
                .isEqualTo("attributes.content-type = \"application/json\"");
    }

    @Test
    void allAnyAndNotBecomeAndOrAndNotWithCompositesParenthesised() {
        Filter filter = Filter.all(Filter.exact("type", "a"),
                Filter.any(Filter.prefix("subject", "x"), Filter.not(Filter.exact("source", "/s"))));
        assertThat(translate(filter)).isEqualTo("attributes.ce-type = \"a\" AND "
                + "(hasPrefix(attributes.ce-subject, \"x\") OR NOT (attributes.ce-source = \"/s\"))");
    }

    @Test
    void quotesAndBackslashesAreEscaped() {
        assertThat(translate(Filter.exact("subject", "say \"hi\" \\o/")))
                .isEqualTo("attributes.ce-subject = \"say \\\"hi\\\" \\\\o/\"");
    }

    @Test
    void whatCannotBeSaidIsLeftOutOfAConjunctionAndTheClientFiltersIt() {
        // suffix, sql and Java predicates have no Pub/Sub form: the translation keeps the rest of the conjunction.
        Filter filter = Filter.all(Filter.exact("type", "a"), Filter.suffix("subject", ".rb"),
                Filter.sql("subject LIKE '%x%'"), Filter.where(event -> true));
        assertThat(translate(filter)).isEqualTo("attributes.ce-type = \"a\"");
        assertThat(translate(Filter.all(Filter.exact("time", "2026-01-01T00:00:00Z"), Filter.exact("type", "a"))))
                .as("time's text differs between bindings").isEqualTo("attributes.ce-type = \"a\"");
        assertThat(translate(Filter.all(Filter.exact("type", "a"), Filter.exact("subject", "line\nbreak"))))
                .as("a control character has no literal").isEqualTo("attributes.ce-type = \"a\"");
    }

    @Test
    void anAnyOrNotWithAnUntranslatablePartFallsBackToNoFilter() {
        assertThat(translate(Filter.any(Filter.exact("type", "a"), Filter.suffix("subject", ".rb")))).isEmpty();
        assertThat(translate(Filter.not(Filter.suffix("subject", ".rb")))).isEmpty();
        assertThat(translate(Filter.not(Filter.all(Filter.exact("type", "a"), Filter.sql("subject = 'x'")))))
                .as("dropping a condition under a not would narrow it").isEmpty();
        assertThat(translate(Filter.ALL_EVENTS)).isEmpty();
        assertThat(translate(Filter.any())).as("nothing passes: Pub/Sub has no literal for it").isEmpty();
    }

    @Test
    void aFilterOverTheLengthLimitKeepsTheConditionsOfItsConjunctionThatFit() {
        List<Filter> conditions = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            conditions.add(Filter.prefix("subject", "gid://gitlab/Project/" + i));
        }
        conditions.add(1, Filter.exact("type", "x".repeat(300)));
        String translated = translate(Filter.all(conditions.toArray(Filter[]::new)));
        assertThat(translated.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(PubSubFilter.MAX_BYTES);
        assertThat(translated).startsWith("hasPrefix(attributes.ce-subject, \"gid://gitlab/Project/0\") AND "
                + "hasPrefix(attributes.ce-subject, \"gid://gitlab/Project/1\")").doesNotContain("ce-type");

        List<Filter> branches = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            branches.add(Filter.exact("subject", "gid://gitlab/Project/" + i));
        }
        assertThat(translate(Filter.any(branches.toArray(Filter[]::new))))
                .as("a disjunction too long cannot be shortened").isEmpty();
    }

    @Test
    void theTranslationAcceptsAtLeastWhatTheNativeFilterAccepts() {
        NativeFilter filter = new NativeFilter.All(List.of(new NativeFilter.Exact("type", "a"),
                new NativeFilter.Any(List.of())));
        assertThat(PubSubFilter.translate(filter)).as("the empty any (nothing) is dropped, not rendered")
                .isEqualTo("attributes.ce-type = \"a\"");
    }
}
