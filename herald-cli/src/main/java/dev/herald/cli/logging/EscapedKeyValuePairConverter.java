package dev.herald.cli.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.event.KeyValuePair;

/** {@code %kvp}: {@code key="value"} pairs with each value escaped by {@link LogValues#escape}. */
public final class EscapedKeyValuePairConverter extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs == null || pairs.isEmpty()) {
            return "";
        }
        return pairs.stream()
                .map(pair -> LogValues.escape(String.valueOf(pair.key)) + "=\""
                        + LogValues.escape(String.valueOf(pair.value)) + "\"")
                .collect(Collectors.joining(" "));
    }
}
