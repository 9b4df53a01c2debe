package dev.herald.transport.nsq;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The body of a message on a subscription's private topic (redriven dead letters, deferred deliveries): the
 * original publish time, 8 bytes big-endian nanoseconds since the epoch, then the event's structured JSON as
 * published. The private topic's messages are Herald's own; a subscription's main topic carries plain events.
 *
 * @param publishedAtNanos when the event was first stored on nsqd
 * @param event            the structured JSON
 */
record PrivateBody(long publishedAtNanos, byte[] event) {

    /** The publish time's bytes before the event. */
    static final int HEADER = 8;

    byte[] encode() {
        return ByteBuffer.allocate(HEADER + event.length).putLong(publishedAtNanos).put(event).array();
    }

    static PrivateBody decode(byte[] body) {
        if (body.length < HEADER) {
            throw new IllegalArgumentException("a private message of " + body.length + " bytes has no publish time");
        }
        return new PrivateBody(ByteBuffer.wrap(body).getLong(), Arrays.copyOfRange(body, HEADER, body.length));
    }
}
