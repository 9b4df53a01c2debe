package dev.herald.cli.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.slf4j.helpers.MessageFormatter;

/**
 * {@code %msg} with every {@code {}} argument escaped by {@link LogValues#escape}; the message's own
 * text, written by Herald, is kept as it is.
 */
public final class EscapedMessageConverter extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        Object[] arguments = event.getArgumentArray();
        if (arguments == null || arguments.length == 0) {
            return LogValues.escape(event.getFormattedMessage());
        }
        Object[] escaped = new Object[arguments.length];
        for (int i = 0; i < arguments.length; i++) {
            escaped[i] = arguments[i] == null ? null : LogValues.escape(String.valueOf(arguments[i]));
        }
        return MessageFormatter.basicArrayFormat(event.getMessage(), escaped);
    }
}
