package dev.herald.transport.nsq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tck.TransportBenchmark;
import dev.herald.transport.EncodedEvent;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Herald's NSQ publish against the bare protocol client ({@link TransportBenchmark}), <b>measured against
 * {@link NsqProtocolDouble}, not nsqd</b>: MPUB of the same bytes, encoded beforehand, each call waiting for
 * nsqd's {@code OK} exactly as Herald does. The ratio says what Herald adds on top of the wire protocol; the
 * absolute numbers say little about a real nsqd. {@code -Dherald.nsq.bench.events=50000} for steadier figures.
 */
class NsqBenchmarkTest {

    @TempDir
    Path state;

    @Test
    void publishThroughputAgainstTheBareProtocolClientAndEndToEndLatency() throws Exception {
        TransportBenchmark.Report report;
        try (NsqProtocolDouble nsqd = NsqProtocolDouble.start();
             NsqTransport transport = NsqTransport.open(nsqd.options(state));
             Publisher raw = new Publisher(nsqd.options(state), "bench-raw")) {
            NsqHttp http = new NsqHttp(nsqd.options(state));
            report = TransportBenchmark.named("nsq", "MPUB answered OK (AGAINST THE PROTOCOL TEST DOUBLE, NOT nsqd)")
                    .subscribed(false) // the double keeps a channel's messages in memory
                    .run(transport, new TransportBenchmark.RawClient<byte[]>() {
                        @Override
                        public String describe() {
                            return "bare protocol client (MPUB)";
                        }

                        @Override
                        public byte[] prepare(String topic, EncodedEvent event) {
                            return event.json();
                        }

                        @Override
                        public void publish(String topic, List<byte[]> batch) {
                            raw.publish(topic, batch);
                        }

                        @Override
                        public void afterRound(String topic) {
                            http.deleteTopic(topic); // the double keeps a topic's messages in memory
                        }
                    });
        }
        assertThat(report.ratios()).hasSize(1).allSatisfy(ratio -> assertThat(ratio).isPositive());
    }
}
