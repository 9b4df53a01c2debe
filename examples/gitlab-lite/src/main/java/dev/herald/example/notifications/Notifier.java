package dev.herald.example.notifications;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.event.EventData;
import dev.herald.store.EventStore;
import dev.herald.store.SubscribeOptions;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The notifications domain: tells people about findings and approvals, from the events alone. */
public final class Notifier {

    private final EventStore events;
    private final Consumer<String> outbox;
    private final List<String> sent = new CopyOnWriteArrayList<>();

    /**
     * @param events where the domain subscribes
     * @param outbox where messages go (a mailer in a real product; the console in the demo)
     */
    public Notifier(EventStore events, Consumer<String> outbox) {
        this.events = events;
        this.outbox = outbox;
    }

    public void start() {
        events.subscribe("notifications.tell_people", this::notify,
                SubscribeOptions.forTypes("vulnerabilities.new_finding", "merge_requests.approved"));
    }

    /** Every message sent so far. */
    public List<String> sent() {
        return List.copyOf(sent);
    }

    private void notify(CloudEvent event) {
        JsonNode data = EventData.json(event).orElseThrow();
        String message = switch (event.getType()) {
            case "vulnerabilities.new_finding" -> "[security] " + data.path("severity").asText() + ": "
                    + data.path("title").asText() + " — " + data.path("url").asText();
            default -> "[merge requests] !" + data.path("merge_request_id").asInt() + " approved by the pipeline bot";
        };
        sent.add(message);
        outbox.accept(message);
    }
}
