package dev.herald.transport.pubsub;

import com.google.api.core.ApiFuture;
import com.google.api.gax.batching.BatchingSettings;
import com.google.api.gax.batching.FlowControlSettings;
import com.google.api.gax.batching.FlowController;
import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.FixedExecutorProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcCallContext;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.AlreadyExistsException;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.TransportChannelProvider;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.cloud.pubsub.v1.SubscriptionAdminClient;
import com.google.cloud.pubsub.v1.SubscriptionAdminSettings;
import com.google.cloud.pubsub.v1.TopicAdminClient;
import com.google.cloud.pubsub.v1.TopicAdminSettings;
import com.google.cloud.pubsub.v1.stub.GrpcSubscriberStub;
import com.google.cloud.pubsub.v1.stub.SubscriberStub;
import com.google.cloud.pubsub.v1.stub.SubscriberStubSettings;
import com.google.protobuf.Duration;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.Topic;
import com.google.pubsub.v1.TopicName;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The official clients, built once per transport: the topic and subscription admin clients, the subscriber stub
 * (unary pull, acknowledge, modify ack deadline) and one {@link Publisher} per topic, all on one gRPC channel for
 * the emulator (plaintext, no credentials: the Java client ignores {@code PUBSUB_EMULATOR_HOST}) or on the
 * clients' own channels with Application Default Credentials for real Pub/Sub. Publishers share one small
 * executor, so many topics do not mean many threads.
 */
final class PubSubClients implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PubSubClients.class);
    /** Pub/Sub takes at most 10 MB per publish request; a batch stays well below with 1 MiB events. */
    private static final long REQUEST_BYTES = 4L << 20;
    /** Publisher flow control counts messages too; bytes ({@link PubSubOptions#maxOutstandingPublishBytes()}) bind first. */
    private static final long MAX_OUTSTANDING_MESSAGES = 1_000_000;

    private final PubSubOptions options;
    private final ManagedChannel channel;
    private final TransportChannelProvider channelProvider;
    private final CredentialsProvider credentials;
    private final ScheduledExecutorService publishExecutor;
    private final TopicAdminClient topics;
    private final SubscriptionAdminClient subscriptions;
    private final SubscriberStub subscriber;
    private final Map<String, Publisher> publishers = new ConcurrentHashMap<>();
    private final Set<String> knownTopics = ConcurrentHashMap.newKeySet();

    PubSubClients(PubSubOptions options) throws IOException {
        this.options = options;
        if (options.emulator()) {
            channel = ManagedChannelBuilder.forTarget(options.endpoint()).usePlaintext().build();
            channelProvider = FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel));
            credentials = NoCredentialsProvider.create();
        } else {
            channel = null;
            var builder = TopicAdminSettings.defaultGrpcTransportProviderBuilder();
            if (!options.endpoint().isEmpty()) {
                builder.setEndpoint(options.endpoint());
            }
            channelProvider = builder.build();
            credentials = TopicAdminSettings.defaultCredentialsProviderBuilder().build();
        }
        publishExecutor = Executors.newScheduledThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                Thread.ofPlatform().name("herald-pubsub-publish-", 0).daemon().factory());
        try {
            topics = TopicAdminClient.create(TopicAdminSettings.newBuilder()
                    .setTransportChannelProvider(channelProvider).setCredentialsProvider(credentials).build());
            subscriptions = SubscriptionAdminClient.create(SubscriptionAdminSettings.newBuilder()
                    .setTransportChannelProvider(channelProvider).setCredentialsProvider(credentials).build());
            subscriber = GrpcSubscriberStub.create(SubscriberStubSettings.newBuilder()
                    .setTransportChannelProvider(channelProvider).setCredentialsProvider(credentials).build());
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    TopicAdminClient topics() {
        return topics;
    }

    SubscriptionAdminClient subscriptions() {
        return subscriptions;
    }

    SubscriberStub subscriber() {
        return subscriber;
    }

    /** A call context limited to {@code timeout}. */
    static GrpcCallContext within(java.time.Duration timeout) {
        return GrpcCallContext.createDefault().withTimeoutDuration(timeout);
    }

    /** Creates the topic unless this process saw it already; an existing topic is fine. */
    void ensureTopic(TopicName topic) {
        if (knownTopics.contains(topic.toString())) {
            return;
        }
        Topic.Builder definition = Topic.newBuilder().setName(topic.toString());
        if (!options.topicRetention().isZero()) {
            definition.setMessageRetentionDuration(Duration.newBuilder().setSeconds(options.topicRetention().toSeconds()));
        }
        try {
            topics.createTopic(definition.build());
        } catch (AlreadyExistsException alreadyThere) {
            // Created by another process or an earlier run.
        }
        knownTopics.add(topic.toString());
    }

    /** Forgets a deleted topic, so that it is created again when used. */
    void forgetTopic(TopicName topic) {
        knownTopics.remove(topic.toString());
        Publisher publisher = publishers.remove(topic.toString());
        if (publisher != null) {
            shutdown(publisher);
        }
    }

    /** Publishes one message on the topic's publisher (created with the topic on first use). */
    ApiFuture<String> publish(TopicName topic, PubsubMessage message) {
        return publisher(topic).publish(message);
    }

    /** After a failed publish with an ordering key, lets that key publish again (the client pauses it). */
    void resume(TopicName topic, String orderingKey) {
        Publisher publisher = publishers.get(topic.toString());
        if (publisher != null && !orderingKey.isEmpty()) {
            publisher.resumePublish(orderingKey);
        }
    }

    private Publisher publisher(TopicName topic) {
        return publishers.computeIfAbsent(topic.toString(), name -> {
            ensureTopic(topic);
            try {
                return Publisher.newBuilder(topic)
                        .setChannelProvider(channelProvider)
                        .setCredentialsProvider(credentials)
                        .setExecutorProvider(FixedExecutorProvider.create(publishExecutor))
                        .setEnableMessageOrdering(true)
                        .setBatchingSettings(BatchingSettings.newBuilder()
                                .setElementCountThreshold((long) options.publishBatchSize())
                                .setRequestByteThreshold(REQUEST_BYTES)
                                .setDelayThresholdDuration(options.publishBatchDelay().isZero()
                                        ? java.time.Duration.ofNanos(1000) : options.publishBatchDelay())
                                .setFlowControlSettings(FlowControlSettings.newBuilder()
                                        .setMaxOutstandingRequestBytes(options.maxOutstandingPublishBytes())
                                        .setMaxOutstandingElementCount(MAX_OUTSTANDING_MESSAGES)
                                        .setLimitExceededBehavior(FlowController.LimitExceededBehavior.Block)
                                        .build())
                                .build())
                        .build();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Override
    public void close() {
        publishers.values().forEach(PubSubClients::shutdown);
        publishers.clear();
        for (AutoCloseable client : new AutoCloseable[] {subscriber, subscriptions, topics}) {
            if (client != null) {
                try {
                    client.close();
                } catch (Exception e) {
                    LOG.warn("closing a Pub/Sub client failed", e);
                }
            }
        }
        publishExecutor.shutdown();
        if (channel != null) {
            channel.shutdownNow();
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void shutdown(Publisher publisher) {
        try {
            publisher.shutdown();
            publisher.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
