package dev.herald.tck;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a {@link DeliveryLog} against per-key ordering: for each key, a delivery hands out the
 * earliest event of the key not yet acknowledged or dead-lettered, and never while another event of
 * the key is in flight. Checks every delivery, not only the first of each key.
 */
final class OrderingCheck {

    private OrderingCheck() {
    }

    /**
     * @param publishOrder per key, the event ids in publish order
     * @return every violation found, empty when the log keeps per-key order
     */
    static List<String> violations(DeliveryLog log, Map<String, List<String>> publishOrder) {
        Map<String, Integer> next = new HashMap<>();
        Map<String, String> inFlight = new HashMap<>();
        List<String> violations = new ArrayList<>();
        for (DeliveryLog.Entry entry : log.entries()) {
            List<String> order = publishOrder.get(entry.key());
            if (order == null) {
                continue;
            }
            String key = entry.key();
            int position = next.getOrDefault(key, 0);
            String expected = position < order.size() ? order.get(position) : null;
            switch (entry.kind()) {
                case DELIVERED -> {
                    if (inFlight.containsKey(key)) {
                        violations.add("key " + key + ": " + entry.id() + " delivered while " + inFlight.get(key)
                                + " was in flight (log line " + entry.seq() + ")");
                    }
                    if (!entry.id().equals(expected)) {
                        violations.add("key " + key + ": delivered event #" + order.indexOf(entry.id())
                                + " but #" + position + " was the earliest unsettled (log line " + entry.seq() + ")");
                    }
                    inFlight.put(key, entry.id());
                }
                case ACKED, DEAD_LETTERED -> {
                    inFlight.remove(key);
                    if (entry.id().equals(expected)) {
                        next.put(key, position + 1);
                    }
                }
                case NACKED, LEFT -> inFlight.remove(key);
            }
        }
        publishOrder.forEach((key, order) -> {
            if (next.getOrDefault(key, 0) != order.size()) {
                violations.add("key " + key + ": only " + next.getOrDefault(key, 0) + " of " + order.size()
                        + " events were settled in order");
            }
        });
        return violations;
    }
}
