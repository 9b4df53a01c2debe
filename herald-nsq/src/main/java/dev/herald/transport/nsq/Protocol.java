package dev.herald.transport.nsq;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The commands and frames of NSQ's TCP protocol V2, as its specification ({@code nsq.io/clients/tcp_protocol_spec})
 * writes them: commands are a line of ASCII ending in {@code \n}, some followed by a big-endian 4-byte size and a
 * body; nsqd answers with frames {@code [size][frame type][data]}, the size counting the type's 4 bytes.
 */
final class Protocol {

    /** Sent once after connecting: two spaces, {@code V2}. */
    static final byte[] MAGIC_V2 = "  V2".getBytes(StandardCharsets.US_ASCII);
    static final int FRAME_RESPONSE = 0;
    static final int FRAME_ERROR = 1;
    static final int FRAME_MESSAGE = 2;
    static final String OK = "OK";
    static final String HEARTBEAT = "_heartbeat_";
    static final String CLOSE_WAIT = "CLOSE_WAIT";
    /** Topic and channel names, by the specification: {@code [.a-zA-Z0-9_-]}, 1 to 64 characters. */
    static final Pattern NAME = Pattern.compile("[.a-zA-Z0-9_-]{1,64}");
    /** A message frame's header: 8-byte timestamp (ns), 2-byte attempts, 16-byte ASCII hex id. */
    static final int MESSAGE_HEADER = 8 + 2 + 16;

    private Protocol() {
    }

    static byte[] identify(byte[] json) {
        return withBody("IDENTIFY\n", json);
    }

    static byte[] sub(String topic, String channel) {
        return line("SUB " + topic + " " + channel);
    }

    static byte[] rdy(int count) {
        return line("RDY " + count);
    }

    static byte[] fin(String id) {
        return line("FIN " + id);
    }

    /** REQ with the delay in whole milliseconds, rounded up so a redelivery is never early. */
    static byte[] req(String id, Duration delay) {
        return line("REQ " + id + " " + ceilMillis(delay));
    }

    static byte[] touch(String id) {
        return line("TOUCH " + id);
    }

    static byte[] pub(String topic, byte[] body) {
        return withBody("PUB " + topic + "\n", body);
    }

    static byte[] dpub(String topic, Duration delay, byte[] body) {
        return withBody("DPUB " + topic + " " + ceilMillis(delay) + "\n", body);
    }

    /** MPUB: {@code [4-byte body size][4-byte count]} then each message as {@code [4-byte size][data]}. */
    static byte[] mpub(String topic, List<byte[]> bodies) {
        int size = 4;
        for (byte[] body : bodies) {
            size += 4 + body.length;
        }
        byte[] head = ("MPUB " + topic + "\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(head.length + 4 + size);
        out.put(head).putInt(size).putInt(bodies.size());
        for (byte[] body : bodies) {
            out.putInt(body.length).put(body);
        }
        return out.array();
    }

    /** The bytes an MPUB of these bodies puts on the wire after its command line: for splitting batches. */
    static long mpubBodySize(int messages, long payloadBytes) {
        return 4 + 4L * messages + payloadBytes;
    }

    static byte[] nop() {
        return line("NOP");
    }

    static byte[] cls() {
        return line("CLS");
    }

    static long ceilMillis(Duration delay) {
        long millis = delay.toMillis();
        return delay.minusMillis(millis).isZero() ? millis : millis + 1;
    }

    private static byte[] line(String text) {
        return (text + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] withBody(String head, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length() + 4 + body.length);
        out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(ByteBuffer.allocate(4).putInt(body.length).array());
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** A frame from nsqd. */
    sealed interface Frame {
    }

    /** A response: {@code OK}, {@code _heartbeat_}, {@code CLOSE_WAIT} or IDENTIFY's JSON. */
    record Response(byte[] data) implements Frame {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }

        boolean isHeartbeat() {
            return HEARTBEAT.equals(text());
        }
    }

    /** An error: {@code E_INVALID …}, {@code E_BAD_TOPIC …}, {@code E_FIN_FAILED …}, … */
    record Error(String text) implements Frame {
        /** FIN, REQ and TOUCH failures leave the connection open; every other error closes it. */
        boolean isFatal() {
            return !(text.startsWith("E_FIN_FAILED") || text.startsWith("E_REQ_FAILED")
                    || text.startsWith("E_TOUCH_FAILED"));
        }
    }

    /**
     * A message pushed to a subscriber.
     *
     * @param timestampNanos when nsqd stored it, nanoseconds since the epoch
     * @param attempts       deliveries so far, this one included
     * @param id             16 ASCII hex characters, unique per nsqd
     * @param body           the message
     */
    record Message(long timestampNanos, int attempts, String id, byte[] body) implements Frame {
    }

    /** Decodes a frame's type and data (what follows the size). */
    static Frame decode(int type, byte[] data) {
        return switch (type) {
            case FRAME_RESPONSE -> new Response(data);
            case FRAME_ERROR -> new Error(new String(data, StandardCharsets.UTF_8));
            case FRAME_MESSAGE -> {
                if (data.length < MESSAGE_HEADER) {
                    throw new IllegalStateException("message frame of " + data.length + " bytes is shorter than its header");
                }
                ByteBuffer in = ByteBuffer.wrap(data);
                long timestamp = in.getLong();
                int attempts = Short.toUnsignedInt(in.getShort());
                String id = new String(data, 10, 16, StandardCharsets.US_ASCII);
                byte[] body = new byte[data.length - MESSAGE_HEADER];
                System.arraycopy(data, MESSAGE_HEADER, body, 0, body.length);
                yield new Message(timestamp, attempts, id, body);
            }
            default -> throw new IllegalStateException("unknown frame type " + type);
        };
    }
}
