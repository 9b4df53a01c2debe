package dev.herald.test;

import dev.herald.store.TopicRouter;
import io.cloudevents.CloudEvent;

/**
 * Routes like the router it wraps, and records every event routed. The store routes each event
 * before it validates it, so this sees the publishes the store then refuses — the only place outside
 * the store where they can be seen. {@code RefusedPublishTest} fails if that order ever changes.
 */
final class RecordingRouter implements TopicRouter {

    private final TopicRouter delegate;
    private final PublishedEvents recording;

    RecordingRouter(TopicRouter delegate, PublishedEvents recording) {
        this.delegate = delegate;
        this.recording = recording;
    }

    @Override
    public String topicFor(CloudEvent event) {
        recording.attempted(event);
        return delegate.topicFor(event);
    }
}
