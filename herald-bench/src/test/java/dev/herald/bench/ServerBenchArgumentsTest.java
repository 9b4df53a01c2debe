package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Bad arguments of the server benchmarks are refused before any server starts, naming the option. */
class ServerBenchArgumentsTest {

    @Test
    void httpRefusesABadValueNamingTheOption() {
        Printed printed = run(out -> HttpBench.run(new String[] {"http", "--events", "0"}, out));
        assertThat(printed.exit).isEqualTo(2);
        assertThat(printed.text).contains("--events must be a positive integer, not '0'").contains("Usage: herald bench http");
    }

    @Test
    void httpRefusesAnUnknownOptionAndTransport() {
        assertThat(run(out -> HttpBench.run(new String[] {"--bogus", "1"}, out)).text)
                .contains("unknown argument --bogus");
        assertThat(run(out -> HttpBench.run(new String[] {"--transport", "kafka"}, out)).text)
                .contains("--transport must be one of");
        assertThat(run(out -> HttpBench.run(new String[] {"--events"}, out)).text).contains("--events needs a value");
    }

    @Test
    void webhooksRefusesAConcurrencyOverTheSubscriptionLimit() {
        Printed printed = run(out -> WebhookBench.run(new String[] {"--concurrency=257"}, out));
        assertThat(printed.exit).isEqualTo(2);
        assertThat(printed.text).contains("--concurrency must be at most 256");
    }

    @Test
    void webhooksTakesProtocolsInTheOrderGivenAndRefusesAnUnknownOne() {
        assertThat(WebhookBench.protocols("h2-tls, h1-cleartext,h2-tls")).containsExactly(WebhookSink.Protocol.H2_TLS,
                WebhookSink.Protocol.H1_CLEARTEXT);
        assertThat(WebhookBench.protocols("all")).containsExactly(WebhookSink.Protocol.values());
        Printed printed = run(out -> WebhookBench.run(new String[] {"--protocols", "h1-tls,h3"}, out));
        assertThat(printed.exit).isEqualTo(2);
        assertThat(printed.text).contains("--protocols takes h1-cleartext, h1-tls, h2-tls (separated by commas) or all,"
                + " not 'h3'").contains("Usage: herald bench webhooks");
        assertThat(run(out -> WebhookBench.run(new String[] {"--rounds", "0"}, out)).text)
                .contains("--rounds must be a positive integer, not '0'");
    }

    @Test
    void helpPrintsTheUsageOnly() {
        Printed printed = run(out -> WebhookBench.run(new String[] {"--help"}, out));
        assertThat(printed.exit).isZero();
        assertThat(printed.text).startsWith("Usage: herald bench webhooks").contains("--postgres-url");
    }

    private record Printed(int exit, String text) {
    }

    private interface Bench {
        int run(PrintStream out);
    }

    private static Printed run(Bench bench) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int exit = bench.run(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        return new Printed(exit, buffer.toString(StandardCharsets.UTF_8));
    }
}
