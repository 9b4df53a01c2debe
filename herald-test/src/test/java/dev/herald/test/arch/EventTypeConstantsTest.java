package dev.herald.test.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.herald.test.arch.EventTypeConstants.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventTypeConstantsTest {

    private static List<EventTypeConstants.Found> scan(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            return EventTypeConstants.in(in);
        }
    }

    @Test
    void findsConstantTypesAtTheCallsThatTakeATypeAndNothingElse() throws IOException {
        assertThat(scan(TypeSamples.class))
                .extracting(EventTypeConstants.Found::kind, EventTypeConstants.Found::type, EventTypeConstants.Found::method)
                .containsExactlyInAnyOrder(
                        tuple(Kind.PUBLISHED, "samples.literal", "literal"),
                        tuple(Kind.PUBLISHED, "samples.from_constant", "constant"),
                        tuple(Kind.PUBLISHED, "samples.sdk", "sdk"),
                        tuple(Kind.PUBLISHED, "samples.after_switches", "afterSwitchesAndWideConstants"),
                        tuple(Kind.SUBSCRIBED, "samples.one", "subscriptions"),
                        tuple(Kind.SUBSCRIBED, "samples.two", "subscriptions"),
                        tuple(Kind.SUBSCRIBED, "samples.three", "subscriptions"),
                        tuple(Kind.SUBSCRIBED, "samples.exact", "subscriptions"),
                        tuple(Kind.SUBSCRIBED_PREFIX, "samples.", "subscriptions"));
    }

    @Test
    void reportsTheSourceLineOfTheCall() throws IOException {
        EventTypeConstants.Found literal = scan(TypeSamples.class).stream()
                .filter(found -> found.type().equals("samples.literal")).findFirst().orElseThrow();

        List<String> source = Files.readAllLines(Path.of("src/test/java/dev/herald/test/arch/TypeSamples.java"));
        assertThat(source.get(literal.line() - 1)).contains(".type(\"samples.literal\")");
    }

    @Test
    void readsHeraldsOwnClassesWithoutTrouble() throws IOException {
        // Large classes with lambdas, switches and records: the decoder must walk them to the end.
        for (Class<?> type : List.of(dev.herald.store.EventStore.class, dev.herald.dispatch.Dispatcher.class,
                dev.herald.schema.SchemaRegistry.class, dev.herald.event.EventBuilder.class)) {
            assertThat(scan(type)).as(type.getName()).isNotNull();
        }
    }
}
