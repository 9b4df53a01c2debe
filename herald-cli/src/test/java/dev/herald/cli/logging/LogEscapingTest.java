package dev.herald.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/** The distribution's log configuration cannot be made to print a forged line or field (issue 10, hole 6). */
class LogEscapingTest {

    private static final String FORGED = "x\r\n12:00:00.000 INFO  fake admin login\" admin=\"true";

    @Test
    void argumentsAndKeyValuesAreEscapedIntoOneLine() throws Exception {
        String line = render(event("subscription {}: stream {} connected", new Object[] {FORGED, "s1"},
                List.of(new KeyValuePair("path", FORGED), new KeyValuePair("ip", "127.0.0.1"))));

        assertThat(line).endsWith(System.lineSeparator());
        assertThat(line.strip()).doesNotContain("\n", "\r");
        assertThat(line).contains("subscription x\\r\\n12:00:00.000 INFO  fake admin login\\\" admin=\\\"true: "
                + "stream s1 connected");
        assertThat(line).contains("path=\"x\\r\\n12:00:00.000 INFO  fake admin login\\\" admin=\\\"true\" "
                + "ip=\"127.0.0.1\"");
    }

    @Test
    void escapeCoversEveryControlCharacterAndLeavesTheRest() {
        assertThat(LogValues.escape("plain gid://gitlab/Project/1")).isEqualTo("plain gid://gitlab/Project/1");
        assertThat(LogValues.escape("a\u0000b\u001bc\u0085d\u2028e\\f")).isEqualTo("a\\u0000b\\u001bc\\u0085d\\u2028e\\\\f");
    }

    private static LoggingEvent event(String message, Object[] arguments, List<KeyValuePair> pairs) {
        LoggingEvent event = new LoggingEvent();
        event.setLoggerName("dev.herald.server.Test");
        event.setLevel(Level.WARN);
        event.setMessage(message);
        event.setArgumentArray(arguments);
        pairs.forEach(event::addKeyValuePair);
        event.setTimeStamp(0);
        return event;
    }

    /** Renders one event with the layout of the logback.xml that ships in the distribution. */
    private static String render(LoggingEvent event) throws Exception {
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LogEscapingTest.class.getResource("/logback.xml"));
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        @SuppressWarnings("unchecked")
        OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                (OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent>) root.getAppender("STDERR");
        PatternLayoutEncoder encoder = (PatternLayoutEncoder) appender.getEncoder();
        event.setLoggerContext(context);
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
        context.stop();
        return line;
    }
}
