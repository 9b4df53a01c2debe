package dev.herald.transport.nsq;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bytes of commands and frames exactly as NSQ's TCP protocol specification writes them. */
class ProtocolTest {

    @Test
    void commandsAreTheSpecificationsLines() {
        assertThat(ascii(Protocol.MAGIC_V2)).isEqualTo("  V2");
        assertThat(ascii(Protocol.sub("events", "audit"))).isEqualTo("SUB events audit\n");
        assertThat(ascii(Protocol.rdy(100))).isEqualTo("RDY 100\n");
        assertThat(ascii(Protocol.fin("0123456789abcdef"))).isEqualTo("FIN 0123456789abcdef\n");
        assertThat(ascii(Protocol.touch("0123456789abcdef"))).isEqualTo("TOUCH 0123456789abcdef\n");
        assertThat(ascii(Protocol.nop())).isEqualTo("NOP\n");
        assertThat(ascii(Protocol.cls())).isEqualTo("CLS\n");
    }

    @Test
    void delaysAreWholeMillisecondsRoundedUpSoNothingComesEarly() {
        assertThat(ascii(Protocol.req("id", Duration.ofMillis(500)))).isEqualTo("REQ id 500\n");
        assertThat(ascii(Protocol.req("id", Duration.ofNanos(1_500_001)))).isEqualTo("REQ id 2\n");
        assertThat(ascii(Protocol.req("id", Duration.ZERO))).isEqualTo("REQ id 0\n");
        byte[] dpub = Protocol.dpub("t", Duration.ofSeconds(2), "x".getBytes(StandardCharsets.US_ASCII));
        assertThat(ascii(dpub, 0, 12)).isEqualTo("DPUB t 2000\n");
    }

    @Test
    void pubAndIdentifyCarryASizedBody() {
        byte[] pub = Protocol.pub("t", "hello".getBytes(StandardCharsets.US_ASCII));
        ByteBuffer buffer = ByteBuffer.wrap(pub);
        assertThat(ascii(pub, 0, 6)).isEqualTo("PUB t\n");
        buffer.position(6);
        assertThat(buffer.getInt()).isEqualTo(5);
        assertThat(ascii(pub, 10, 5)).isEqualTo("hello");
        assertThat(ascii(Protocol.identify("{}".getBytes(StandardCharsets.US_ASCII)), 0, 9)).isEqualTo("IDENTIFY\n");
    }

    @Test
    void mpubIsBodySizeThenCountThenEachSizedMessage() {
        byte[] mpub = Protocol.mpub("t", List.of(new byte[] {1, 2}, new byte[] {3}));
        ByteBuffer buffer = ByteBuffer.wrap(mpub);
        assertThat(ascii(mpub, 0, 7)).isEqualTo("MPUB t\n");
        buffer.position(7);
        assertThat(buffer.getInt()).as("body size: count + sizes + data").isEqualTo(4 + 4 + 2 + 4 + 1);
        assertThat(buffer.getInt()).as("count").isEqualTo(2);
        assertThat(buffer.getInt()).isEqualTo(2);
        assertThat(new byte[] {buffer.get(), buffer.get()}).containsExactly(1, 2);
        assertThat(buffer.getInt()).isEqualTo(1);
        assertThat(buffer.get()).isEqualTo((byte) 3);
        assertThat(buffer.hasRemaining()).isFalse();
        assertThat(Protocol.mpubBodySize(2, 3)).isEqualTo(4 + 4 + 2 + 4 + 1);
    }

    @Test
    void messageFramesAreTimestampAttemptsIdBody() {
        byte[] data = ByteBuffer.allocate(Protocol.MESSAGE_HEADER + 3).putLong(1_700_000_000_123_456_789L)
                .putShort((short) 65_535).put("0123456789abcdef".getBytes(StandardCharsets.US_ASCII))
                .put("abc".getBytes(StandardCharsets.US_ASCII)).array();
        Protocol.Message message = (Protocol.Message) Protocol.decode(Protocol.FRAME_MESSAGE, data);
        assertThat(message.timestampNanos()).isEqualTo(1_700_000_000_123_456_789L);
        assertThat(message.attempts()).as("attempts is unsigned").isEqualTo(65_535);
        assertThat(message.id()).isEqualTo("0123456789abcdef");
        assertThat(ascii(message.body())).isEqualTo("abc");
        assertThat(Protocol.decode(Protocol.FRAME_RESPONSE, "_heartbeat_".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOfSatisfying(Protocol.Response.class, r -> assertThat(r.isHeartbeat()).isTrue());
        assertThat(((Protocol.Error) Protocol.decode(Protocol.FRAME_ERROR,
                "E_FIN_FAILED FIN x failed".getBytes(StandardCharsets.US_ASCII))).isFatal()).isFalse();
        assertThat(((Protocol.Error) Protocol.decode(Protocol.FRAME_ERROR,
                "E_BAD_TOPIC bad".getBytes(StandardCharsets.US_ASCII))).isFatal()).isTrue();
    }

    private static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static String ascii(byte[] bytes, int from, int length) {
        return new String(bytes, from, length, StandardCharsets.US_ASCII);
    }
}
