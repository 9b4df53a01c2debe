package dev.herald.test.arch;

import dev.herald.event.EventBuilder;
import dev.herald.filter.Filter;
import dev.herald.store.SubscribeOptions;
import io.cloudevents.core.builder.CloudEventBuilder;

/**
 * Bytecode for {@link EventTypeConstantsTest}: each method names event types in one way the scanner
 * must see, or must not claim to see. The switches and wide constants exercise the instruction decoder.
 */
@SuppressWarnings("unused")
final class TypeSamples {

    static final String CONSTANT = "samples.from_constant";

    void literal() {
        EventBuilder.create().type("samples.literal");
    }

    void constant() {
        EventBuilder.create().type(CONSTANT);
    }

    void sdk() {
        CloudEventBuilder.v1().withType("samples.sdk");
    }

    void throughAVariable(String type) {
        EventBuilder.create().type(type);
    }

    void throughAHelper() {
        build("samples.through_helper", 1);
    }

    private static void build(String type, int n) {
        EventBuilder.create().type(type);
    }

    void afterSwitchesAndWideConstants(int n) {
        long big = 1234567890123L;
        double d = 3.5;
        int dense = switch (n) {
            case 1 -> 10;
            case 2 -> 20;
            case 3 -> 30;
            default -> 0;
        };
        int sparse = switch (n) {
            case 1 -> 1;
            case 1000 -> 2;
            case 100000 -> 3;
            default -> 4;
        };
        EventBuilder.create().type("samples.after_switches");
    }

    void subscriptions(String variable) {
        SubscribeOptions.forTypes("samples.one");
        SubscribeOptions.forTypes("samples.two", "samples.three");
        SubscribeOptions.forTypes("samples.mixed", variable);
        Filter.exact("type", "samples.exact");
        Filter.exact("source", "samples.not_a_type");
        Filter.prefix("type", "samples.");
    }
}
