package dev.herald.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.event.EventBuilder;
import dev.herald.transport.NativeFilter;
import io.cloudevents.CloudEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which parts of a filter a broker may evaluate, and that they never reject what the filter accepts. */
class NativePartTest {

    @Test
    void exactAndPrefixTranslateWhole() {
        assertThat(Filter.exact("type", "a").nativePart()).isEqualTo(new NativeFilter.Exact("type", "a"));
        assertThat(Filter.prefix("subject", "x/").nativePart()).isEqualTo(new NativeFilter.Prefix("subject", "x/"));
        assertThat(Filter.all(Filter.exact("type", "a"), Filter.all(Filter.prefix("subject", "x"))).nativePart())
                .as("nested conjunctions flatten")
                .isEqualTo(new NativeFilter.All(List.of(new NativeFilter.Exact("type", "a"),
                        new NativeFilter.Prefix("subject", "x"))));
        assertThat(Filter.any(Filter.exact("type", "a"), Filter.not(Filter.exact("type", "b"))).nativePart())
                .isEqualTo(new NativeFilter.Any(List.of(new NativeFilter.Exact("type", "a"),
                        new NativeFilter.Not(new NativeFilter.Exact("type", "b")))));
    }

    @Test
    void whatABrokerCannotEvaluateIsDroppedFromAConjunctionOnly() {
        assertThat(Filter.all(Filter.exact("type", "a"), Filter.suffix("subject", ".rb"), Filter.sql("1 = 1"),
                Filter.where(e -> true), Filter.exact("time", "2026-01-01T00:00:00Z")).nativePart())
                .isEqualTo(new NativeFilter.Exact("type", "a"));
        assertThat(Filter.any(Filter.exact("type", "a"), Filter.suffix("subject", ".rb")).nativePart())
                .as("a branch the broker cannot see lets everything through").isEqualTo(NativeFilter.ALL);
        assertThat(Filter.not(Filter.all(Filter.exact("type", "a"), Filter.suffix("subject", ".rb"))).nativePart())
                .as("a not of a widened filter would narrow").isEqualTo(NativeFilter.ALL);
        assertThat(Filter.ALL_EVENTS.nativePart().isAll()).isTrue();
        assertThat(Filter.sql("type = 'a'").nativePart().isAll()).isTrue();
    }

    @Test
    void theNativePartAcceptsEveryEventTheFilterAccepts() {
        List<CloudEvent> events = new ArrayList<>();
        for (String type : List.of("a", "ab", "b")) {
            for (String subject : List.of("x/1.rb", "x/2.py", "y/3.rb")) {
                events.add(EventBuilder.create().type(type).source("/s").subject(subject)
                        .project("gid://gitlab/Project/1").data(Map.of()).build());
            }
        }
        List<Filter> leaves = List.of(Filter.exact("type", "a"), Filter.prefix("type", "a"),
                Filter.prefix("subject", "x/"), Filter.suffix("subject", ".rb"), Filter.sql("subject LIKE '%2%'"),
                Filter.exact("project", "gid://gitlab/Project/1"));
        List<Filter> filters = new ArrayList<>(leaves);
        for (Filter left : leaves) {
            filters.add(Filter.not(left));
            for (Filter right : leaves) {
                filters.add(Filter.all(left, right));
                filters.add(Filter.any(left, right));
                filters.add(Filter.not(Filter.all(left, Filter.not(right))));
                filters.add(Filter.any(Filter.all(left, right), Filter.not(right)));
            }
        }
        int narrowed = 0;
        for (Filter filter : filters) {
            NativeFilter part = filter.nativePart();
            for (CloudEvent event : events) {
                if (filter.matches(event)) {
                    assertThat(part.matches(event)).as("%s of %s on %s/%s", part, filter.toJson(), event.getType(),
                            event.getSubject()).isTrue();
                } else if (!part.matches(event)) {
                    narrowed++;
                }
            }
        }
        assertThat(narrowed).as("the broker rejects something for many filters").isGreaterThan(100);
    }
}
