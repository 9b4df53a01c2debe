package dev.herald.bench;

import dev.herald.event.JsonEvents;
import dev.herald.schema.SchemaRegistry;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Request bodies of the fat 1.5 KB {@code vulnerabilities.new_finding} events ({@link FatEvents}) for
 * HTTP load runs, made without building an event each time: one event is encoded once, and the n-th
 * body is that JSON with the n-th id and vulnerability number written into their places. That keeps
 * the load generator's CPU for sending (a Jackson encoding per request would cost the server cores on a
 * small machine) and its heap small however many events a run sends.
 *
 * <p>Every body is a valid event under the catalog schema, with its own {@code id} (a UUIDv7 whose last
 * 48 bits are {@code n}, after a prefix drawn when this object is made, so that two runs against the
 * same server never collide in its deduplication) and its own subject, url and CVE.
 */
public final class FatEventBodies {

    /** The events' type. */
    public static final String TYPE = FatEvents.TYPE;
    /** The structured-mode media type. */
    public static final String STRUCTURED = JsonEvents.STRUCTURED;
    /** The batch-mode media type. */
    public static final String BATCH = JsonEvents.BATCH;

    /** The vulnerability number of event 0, as it appears in the template (8 digits, see {@link FatEvents}). */
    private static final byte[] NUMBER = "10000000".getBytes(StandardCharsets.US_ASCII);
    private static final long FIRST_NUMBER = 10_000_000L;
    private static final int ID_SUFFIX = 12;

    private final byte[] template;
    private final int idSuffixAt;
    private final int[] numbersAt;
    private final String idPrefix;

    private FatEventBodies(CloudEvent probe) {
        this.template = JsonEvents.write(probe);
        String id = probe.getId();
        this.idPrefix = id.substring(0, id.length() - ID_SUFFIX);
        int idAt = indexOf(template, id.getBytes(StandardCharsets.US_ASCII), 0);
        if (idAt < 0 || id.length() != 36) {
            throw new IllegalStateException("the template event has no UUID id to replace: " + id);
        }
        this.idSuffixAt = idAt + id.length() - ID_SUFFIX;
        List<Integer> at = new ArrayList<>();
        for (int i = indexOf(template, NUMBER, 0); i >= 0; i = indexOf(template, NUMBER, i + NUMBER.length)) {
            at.add(i);
        }
        if (at.isEmpty()) {
            throw new IllegalStateException("the template event has no vulnerability number to replace");
        }
        this.numbersAt = at.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Bodies of events valid under the built-in catalog, without {@code dataschema}: a producer need not
     * know the server's URL, and the server fills in the schema it hosts for the type.
     */
    public static FatEventBodies create() {
        CloudEvent event = new FatEvents(SchemaRegistry.builtinCatalog()).event(0);
        return new FatEventBodies(CloudEventBuilder.v1(event).withDataSchema(null).build());
    }

    /** The id of the n-th event. */
    public String id(long n) {
        return idPrefix + String.format(Locale.ROOT, "%012x", n & 0xFFFF_FFFF_FFFFL);
    }

    /** The n-th event in structured mode ({@value JsonEvents#STRUCTURED}). */
    public byte[] structured(long n) {
        byte[] body = Arrays.copyOf(template, template.length);
        fill(body, n);
        return body;
    }

    /** Events {@code first .. first+count-1} as one batch ({@value JsonEvents#BATCH}). */
    public byte[] batch(long first, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(count * (template.length + 1) + 2);
        out.write('[');
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(structured(first + i));
        }
        out.write(']');
        return out.toByteArray();
    }

    /** The size of one structured event in bytes. */
    public int eventBytes() {
        return template.length;
    }

    private void fill(byte[] body, long n) {
        long suffix = n & 0xFFFF_FFFF_FFFFL;
        for (int i = ID_SUFFIX - 1; i >= 0; i--) {
            body[idSuffixAt + i] = (byte) Character.forDigit((int) (suffix & 0xF), 16);
            suffix >>>= 4;
        }
        long number = FIRST_NUMBER + Math.floorMod(n, 90_000_000L);
        for (int at : numbersAt) {
            long rest = number;
            for (int i = NUMBER.length - 1; i >= 0; i--) {
                body[at + i] = (byte) ('0' + rest % 10);
                rest /= 10;
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
