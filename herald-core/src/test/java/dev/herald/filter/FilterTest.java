package dev.herald.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.event.EventBuilder;
import io.cloudevents.CloudEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FilterTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final CloudEvent PIPELINE = EventBuilder.create().type("ci.pipeline.created")
            .source("https://gitlab.example.com/group/app").subject("gid://gitlab/Ci::Pipeline/9")
            .project("gid://gitlab/Project/1").data(Map.of("status", "running", "ref", "main")).build();

    private static Filter json(String text) throws Exception {
        return Filter.fromJson(MAPPER.readTree(text));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"exact\":{\"type\":\"ci.pipeline.created\"}}                                   | true",
        "{\"exact\":{\"type\":\"ci.pipeline\"}}                                           | false",
        "{\"exact\":{\"type\":\"ci.pipeline.created\",\"project\":\"gid://gitlab/Project/2\"}} | false",
        "{\"prefix\":{\"type\":\"ci.\"}}                                                  | true",
        "{\"prefix\":{\"type\":\"CI.\"}}                                                  | false",
        "{\"suffix\":{\"subject\":\"/9\"}}                                                | true",
        "{\"suffix\":{\"authid\":\"/9\"}}                                                 | false",
        "{\"all\":[{\"prefix\":{\"type\":\"ci.\"}},{\"exact\":{\"project\":\"gid://gitlab/Project/1\"}}]} | true",
        "{\"all\":[{\"prefix\":{\"type\":\"ci.\"}},{\"exact\":{\"project\":\"gid://gitlab/Project/2\"}}]} | false",
        "{\"all\":[]}                                                                     | true",
        "{\"any\":[{\"prefix\":{\"type\":\"mr.\"}},{\"suffix\":{\"type\":\".created\"}}]}  | true",
        "{\"any\":[]}                                                                     | false",
        "{\"not\":{\"prefix\":{\"type\":\"ci.\"}}}                                        | false",
        "{\"sql\":\"type LIKE 'ci.%' AND project = 'gid://gitlab/Project/1'\"}           | true",
        "{\"sql\":\"subject = 'x'\"}                                                      | false",
        "{\"sql\":\"EXISTS authid\"}                                                      | false",
        "{\"sql\":\"INT(missingext) > 3\"}                                                | false",
        "[{\"prefix\":{\"type\":\"ci.\"}},{\"sql\":\"source LIKE '%/app'\"}]               | true",
    })
    void evaluatesEveryDialect(String filter, boolean expected) throws Exception {
        assertThat(json(filter).matches(PIPELINE)).isEqualTo(expected);
    }

    @Test
    void javaPredicatesWorkInProcess() {
        Filter onMain = Filter.where(e -> e.getSubject() != null && e.getSubject().endsWith("/9"));

        assertThat(Filter.all(Filter.prefix("type", "ci."), onMain).matches(PIPELINE)).isTrue();
        assertThat(Filter.not(onMain).matches(PIPELINE)).isFalse();
    }

    @Test
    void jsonFormRoundTrips() throws Exception {
        String text = "{\"all\":[{\"prefix\":{\"type\":\"ci.\"}},{\"not\":{\"sql\":\"subject = 'x'\"}},"
                + "{\"any\":[{\"exact\":{\"project\":\"p\"}},{\"suffix\":{\"type\":\".created\"}}]}]}";

        assertThat(json(text).toJson()).isEqualTo(MAPPER.readTree(text));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"prefix\":\"ci.\"}                  | filters.prefix: must be an object mapping attribute names to strings",
        "{\"exact\":{\"type\":1}}              | filters.exact.type: must be a string",
        "{\"regex\":{\"type\":\"x\"}}          | filters.regex: unknown dialect",
        "{\"all\":{\"prefix\":{}}}             | filters.all: must be an array of filters",
        "[{\"exact\":{}}]                      | filters[0].exact: must be an object",
        "{\"sql\":\"type = \"}                 | filters.sql: ",
        "{\"sql\":3}                           | filters.sql: must be a string",
        "{\"prefix\":{\"type\":\"a\"},\"sql\":\"true\"} | filters: a filter is an object with exactly one dialect",
    })
    void refusesBadDefinitionsNamingThePath(String filter, String message) {
        assertThatThrownBy(() -> json(filter)).isInstanceOf(InvalidFilterException.class)
                .hasMessageStartingWith(message);
    }
}
