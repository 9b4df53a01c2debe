package dev.herald.server.state;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The listeners of a {@link ServerDatabase}'s changes; each is called on its own, a failing one is logged. */
final class ChangeFeed {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    void add(Consumer<String> listener) {
        listeners.add(listener);
    }

    void publish(String topic) {
        for (Consumer<String> listener : listeners) {
            try {
                listener.accept(topic);
            } catch (RuntimeException e) {
                LOG.warn("a state change listener failed on {}", topic, e);
            }
        }
    }
}
