package dev.herald.tck;

import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** Compares delivered events with published ones, attribute by attribute and data byte by byte. */
public final class EventAssertions {

    private EventAssertions() {
    }

    /** Fails listing every attribute in which {@code actual} differs from {@code expected}. */
    public static void assertSameEvent(CloudEvent expected, CloudEvent actual) {
        if (actual == null) {
            throw new AssertionError("event " + expected.getId() + " was not received");
        }
        List<String> differences = new ArrayList<>();
        compare(differences, "specversion", expected.getSpecVersion(), actual.getSpecVersion());
        compare(differences, "id", expected.getId(), actual.getId());
        compare(differences, "source", expected.getSource(), actual.getSource());
        compare(differences, "type", expected.getType(), actual.getType());
        compare(differences, "subject", expected.getSubject(), actual.getSubject());
        compare(differences, "time", expected.getTime(), actual.getTime());
        compare(differences, "dataschema", expected.getDataSchema(), actual.getDataSchema());
        compare(differences, "datacontenttype", expected.getDataContentType(), actual.getDataContentType());
        Set<String> names = new TreeSet<>(expected.getExtensionNames());
        names.addAll(actual.getExtensionNames());
        for (String name : names) {
            compare(differences, "extension " + name, expected.getExtension(name), actual.getExtension(name));
        }
        byte[] expectedData = bytes(expected.getData());
        byte[] actualData = bytes(actual.getData());
        if (!Arrays.equals(expectedData, actualData)) {
            differences.add("data: expected " + text(expectedData) + " but was " + text(actualData));
        }
        if (!differences.isEmpty()) {
            throw new AssertionError("event " + expected.getId() + " changed in transit:\n  "
                    + String.join("\n  ", differences));
        }
    }

    private static void compare(List<String> differences, String what, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            differences.add(what + ": expected <" + expected + "> but was <" + actual + ">");
        }
    }

    private static byte[] bytes(CloudEventData data) {
        return data == null ? null : data.toBytes();
    }

    private static String text(byte[] data) {
        if (data == null) {
            return "<no data>";
        }
        String text = new String(data, StandardCharsets.UTF_8);
        return text.length() > 300 ? text.substring(0, 300) + "… (" + data.length + " bytes)" : text;
    }
}
