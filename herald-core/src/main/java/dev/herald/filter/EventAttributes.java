package dev.herald.filter;

import io.cloudevents.CloudEvent;

/**
 * Reads any attribute of an event, context attribute or extension, in its canonical string form: what
 * filters compare, in the client ({@link Filter}) and in a broker ({@link dev.herald.transport.NativeFilter}).
 */
public final class EventAttributes {

    private EventAttributes() {
    }

    /** The attribute's value as a string, or null when the event does not have it. */
    public static String asString(CloudEvent event, String name) {
        Object value = switch (name) {
            case "specversion" -> event.getSpecVersion().toString();
            case "id" -> event.getId();
            case "source" -> event.getSource();
            case "type" -> event.getType();
            case "subject" -> event.getSubject();
            case "time" -> event.getTime();
            case "dataschema" -> event.getDataSchema();
            case "datacontenttype" -> event.getDataContentType();
            default -> event.getExtension(name);
        };
        return value == null ? null : value.toString();
    }
}
