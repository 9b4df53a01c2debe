package dev.herald.server.subscriptions;

import dev.herald.dispatch.Backoff;
import dev.herald.dispatch.DeliveryPolicy;
import dev.herald.server.wire.DeliveryBody;
import dev.herald.transport.StartPosition;
import java.time.Duration;

/**
 * A subscription's delivery policy as given in the API ({@code delivery}).
 *
 * @param maxAttempts attempts before an event goes to the dead letters
 * @param backoffMin  the first retry's base delay (exponential with jitter after it)
 * @param backoffMax  the longest delay between attempts
 * @param ordered     deliver each partition key's events one at a time, in order
 * @param concurrency webhook requests in flight at once
 * @param delay       no event is delivered earlier than this after it was published
 * @param startAt     where a new subscription starts: latest, earliest or a timestamp
 * @param ackDeadline for PULL: how long a client has to ack an event before it is delivered again
 */
public record DeliverySpec(int maxAttempts, Duration backoffMin, Duration backoffMax, boolean ordered,
                           int concurrency, Duration delay, StartPosition startAt, Duration ackDeadline) {

    /** The policy the dispatcher applies. */
    DeliveryPolicy policy(DeliveryPolicy defaults) {
        return new DeliveryPolicy(maxAttempts, new Backoff(backoffMin, backoffMax), ordered, concurrency,
                defaults.groupSize());
    }

    /** This spec starting elsewhere. */
    DeliverySpec withStartAt(StartPosition position) {
        return new DeliverySpec(maxAttempts, backoffMin, backoffMax, ordered, concurrency, delay, position,
                ackDeadline);
    }

    DeliveryBody toBody(Protocol protocol) {
        return new DeliveryBody(maxAttempts, new DeliveryBody.BackoffBody(Durations.format(backoffMin),
                Durations.format(backoffMax)), ordered, protocol == Protocol.HTTP ? concurrency : null,
                Durations.format(delay), startAt.toString(), protocol == Protocol.PULL
                ? Durations.format(ackDeadline) : null);
    }
}
