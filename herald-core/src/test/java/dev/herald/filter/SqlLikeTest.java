package dev.herald.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.herald.event.EventBuilder;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code LIKE} runs without backtracking, and client expressions are bounded (issue 10, hole 3). */
class SqlLikeTest {

    /** The pattern of the security review: ~4 s per event on the SDK's regex, 8x more per 2 wildcards. */
    private static final String PATHOLOGICAL = "%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%!";

    private static CloudEvent withSource(String source) {
        return EventBuilder.create().type("ci.pipeline.created").source(source).subject("s")
                .data(Map.of("a", 1)).build();
    }

    @Test
    void thePathologicalPatternOfTheReviewAnswersRightAtOnce() {
        String source = "https://gitlab.example.com/" + "a".repeat(40);
        Filter filter = Filter.sql("source LIKE '" + PATHOLOGICAL.replace("%!", "%_%_%_%_%!") + "'");
        // A generous bound: the regex engine needed minutes here; the linear matcher needs microseconds.
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertThat(filter.matches(withSource(source))).isFalse();
            assertThat(filter.matches(withSource(source + "!"))).isTrue();
        });
    }

    @Test
    void theWorstPatternWithinTheCapsTakesStepsLinearInTheValue() {
        // Every wildcard the default cap allows, in segments that nearly match everywhere.
        StringBuilder pattern = new StringBuilder();
        for (int i = 0; i < SqlLimits.DEFAULTS.maxWildcards() / 2; i++) {
            pattern.append("%a_");
        }
        pattern.append("b");
        LikePattern like = LikePattern.compile(pattern.toString());
        String value = "a".repeat(100_000);
        LikePattern.Outcome outcome = like.match(value);
        assertThat(outcome.matched()).isFalse();
        int segments = SqlLimits.DEFAULTS.maxWildcards() / 2 + 1;
        assertThat(outcome.steps()).isLessThanOrEqualTo((long) value.length() * (segments + 1));
    }

    @Test
    void theWorstExpressionWithinTheCapsEvaluatesQuickly() {
        StringBuilder expression = new StringBuilder("source LIKE '");
        for (int i = 0; i < SqlLimits.DEFAULTS.maxWildcards() - 1; i++) {
            expression.append(i % 2 == 0 ? "%" : "_");
        }
        expression.append("!'");
        while (expression.length() < SqlLimits.DEFAULTS.maxLength() - 40) {
            expression.append(" OR source = 'https://gitlab.example.com/x'");
        }
        Filter filter = Filter.fromJson(JsonNodeFactory.instance.arrayNode()
                .add(JsonNodeFactory.instance.objectNode().put("sql", expression.toString())), SqlLimits.DEFAULTS);
        CloudEvent event = withSource("https://gitlab.example.com/" + "a".repeat(2000));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (int i = 0; i < 2000; i++) {
                assertThat(filter.matches(event)).isFalse();
            }
        });
    }

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "source LIKE 'https://%/app'                | https://gitlab.example.com/app | true",
        "source NOT LIKE 'https://%/app'            | https://gitlab.example.com/app | false",
        "source LIKE 'https://gitlab.example.com/_' | https://gitlab.example.com/a   | true",
        "source LIKE 'https://gitlab.example.com/_' | https://gitlab.example.com/ab  | false",
        "source LIKE '%\\%%'                        | https://x/100%25               | true",
        "source LIKE '%\\%%'                        | https://x/100                  | false",
        "source LIKE '%\\_'                         | https://x/a_                   | true",
        "source LIKE '%\\_'                         | https://x/ab                   | false",
        "(source LIKE 'https:%') AND type LIKE 'ci.%' | https://x                    | true",
        "CONCAT(source, '!') LIKE '%!'              | https://x                      | true",
        "(source LIKE 'x%') = FALSE                 | https://x                      | true",
        "source like 'HTTPS%'                       | https://x                      | false",
    })
    void keepsTheMeaningOfLike(String expression, String source, boolean expected) {
        assertThat(Filter.sql(expression).matches(withSource(source))).isEqualTo(expected);
    }

    @Property(tries = 2000)
    void agreesWithTheTextbookMatcher(@ForAll @StringLength(max = 12) @Chars({'a', 'b', '%', '_', '\\'}) String pattern,
                                      @ForAll @StringLength(max = 12) @CharRange(from = 'a', to = 'c') String value) {
        assertThat(LikePattern.compile(pattern).matches(value)).isEqualTo(dynamicProgramming(pattern, value));
    }

    @Test
    void refusesExpressionsBeyondEachLimitNamingItAndTheField() {
        SqlLimits limits = new SqlLimits(60, 4, 3);
        assertThatThrownBy(() -> read("source = '" + "x".repeat(60) + "'", limits))
                .hasMessage("filters[0].sql: the expression is 71 characters long; the limit is 60 "
                        + "(filters.sql-max-length)");
        assertThatThrownBy(() -> read("((((((source = 'x'))))))", limits))
                .hasMessageStartingWith("filters[0].sql: the expression nests 6 levels deep; the limit is 4 "
                        + "(filters.sql-max-depth)");
        assertThatThrownBy(() -> read("LENGTH(UPPER(LOWER(UPPER(LOWER(source))))) = 3", limits))
                .hasMessageContaining("nests 5 levels deep").hasMessageContaining("(filters.sql-max-depth)");
        assertThat(read("source = 'a' OR source = 'b' OR source = 'c' OR source = 'd' OR source = 'e'",
                new SqlLimits(200, 1, 0)))
                .isNotNull();
        assertThatThrownBy(() -> read("source LIKE '%a%' OR type LIKE 'x__'", limits))
                .hasMessage("filters[0].sql: the LIKE patterns hold 4 wildcards (% and _); the limit is 3 "
                        + "(filters.sql-max-wildcards)");
        assertThat(read("source LIKE '%a\\%25' OR type LIKE 'x_'", limits).matches(withSource("https://x/a%25"))).isTrue();
        assertThat(read("source = '" + "x".repeat(60) + "'", SqlLimits.NONE)).isNotNull();
    }

    @Test
    void theRewriteFunctionIsNotCallable() {
        assertThatThrownBy(() -> Filter.sql("herald_like(source, 0)"))
                .isInstanceOf(InvalidFilterException.class).hasMessageContaining("HERALD_LIKE is not a CESQL function");
    }

    private static Filter read(String expression, SqlLimits limits) {
        return Filter.fromJson(new ObjectMapper().createArrayNode()
                .add(JsonNodeFactory.instance.objectNode().put("sql", expression)), limits);
    }

    /** The obvious O(n·m) table, as an oracle; escapes as the SDK reads them. */
    private static boolean dynamicProgramming(String pattern, String value) {
        java.util.List<int[]> tokens = new java.util.ArrayList<>(); // {kind: 0 literal, 1 any, 2 many; char}
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length() && (pattern.charAt(i + 1) == '%' || pattern.charAt(i + 1) == '_')) {
                tokens.add(new int[] {0, pattern.charAt(++i)});
            } else {
                tokens.add(new int[] {c == '_' ? 1 : c == '%' ? 2 : 0, c});
            }
        }
        boolean[][] m = new boolean[tokens.size() + 1][value.length() + 1];
        m[0][0] = true;
        for (int t = 1; t <= tokens.size(); t++) {
            int[] token = tokens.get(t - 1);
            for (int v = 0; v <= value.length(); v++) {
                m[t][v] = switch (token[0]) {
                    case 2 -> m[t - 1][v] || (v > 0 && m[t][v - 1]);
                    case 1 -> v > 0 && m[t - 1][v - 1];
                    default -> v > 0 && m[t - 1][v - 1] && value.charAt(v - 1) == token[1];
                };
            }
        }
        return m[tokens.size()][value.length()];
    }
}
