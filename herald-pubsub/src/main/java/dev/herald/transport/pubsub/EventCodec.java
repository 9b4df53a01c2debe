package dev.herald.transport.pubsub;

import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import dev.herald.transport.EncodedEvent;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.SpecVersion;
import io.cloudevents.core.data.BytesCloudEventData;
import io.cloudevents.core.message.MessageWriter;
import io.cloudevents.core.message.impl.BaseGenericBinaryMessageReaderImpl;
import io.cloudevents.core.v1.CloudEventV1;
import io.cloudevents.rw.CloudEventContextWriter;
import io.cloudevents.rw.CloudEventRWException;
import io.cloudevents.rw.CloudEventWriter;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Events to and from Pub/Sub messages in the binary mode of the CloudEvents Google Cloud Pub/Sub protocol
 * binding: every context attribute is a message attribute named {@code ce-<name>} (values in their canonical
 * string form), {@code datacontenttype} is the {@code content-type} attribute, and the message data is the
 * event data byte for byte. A published message's ordering key is the event's ordering key as
 * the core derived it ({@link EncodedEvent#orderingKey}), empty for an event without one.
 *
 * <p>Stateless and thread-safe. Herald's own bookkeeping attributes (dead-letter error, attempts) start with
 * {@code herald-}, never {@code ce-}, so they never leak into an event.
 */
final class EventCodec {

    static final String PREFIX = "ce-";
    static final String CONTENT_TYPE = "content-type";

    private EventCodec() {
    }

    /** The message publishing {@code encoded}, with its ordering key. */
    static PubsubMessage.Builder encode(EncodedEvent encoded) {
        return encode(encoded.event()).setOrderingKey(encoded.orderingKeyOrEmpty());
    }

    /** The message for {@code event}, without an ordering key (dead letters and redriven events are unordered). */
    static PubsubMessage.Builder encode(CloudEvent event) {
        Objects.requireNonNull(event, "event");
        return new Writer().writeBinary(event);
    }

    /**
     * The event of a message.
     *
     * @throws CloudEventRWException when the message is not a binary-mode CloudEvent
     */
    static CloudEvent decode(PubsubMessage message) {
        String version = message.getAttributesOrDefault(PREFIX + "specversion", null);
        if (version == null) {
            throw CloudEventRWException.newInvalidSpecVersion("(missing ce-specversion attribute)");
        }
        SpecVersion specVersion = SpecVersion.parse(version);
        CloudEventData data = message.getData().isEmpty() ? null : BytesCloudEventData.wrap(message.getData().toByteArray());
        return new Reader(specVersion, data, message.getAttributesMap()).toEvent();
    }

    /** Reads attributes the way the SDK's HTTP and Kafka bindings read headers. */
    private static final class Reader extends BaseGenericBinaryMessageReaderImpl<String, String> {

        private final Map<String, String> attributes;

        Reader(SpecVersion version, CloudEventData data, Map<String, String> attributes) {
            super(version, data);
            this.attributes = attributes;
        }

        @Override
        protected boolean isContentTypeHeader(String key) {
            return key.equals(CONTENT_TYPE);
        }

        @Override
        protected boolean isCloudEventsHeader(String key) {
            return key.length() > PREFIX.length() && key.startsWith(PREFIX);
        }

        @Override
        protected String toCloudEventsKey(String key) {
            return key.substring(PREFIX.length());
        }

        @Override
        protected void forEachHeader(BiConsumer<String, String> fn) {
            attributes.forEach(fn);
        }

        @Override
        protected String toCloudEventsValue(String value) {
            return value;
        }
    }

    /** Writes attributes; the SDK's context writer renders times, URIs and numbers canonically. */
    private static final class Writer implements MessageWriter<Writer, PubsubMessage.Builder>,
            CloudEventWriter<PubsubMessage.Builder> {

        private final PubsubMessage.Builder message = PubsubMessage.newBuilder();

        @Override
        public Writer create(SpecVersion version) {
            message.putAttributes(PREFIX + "specversion", version.toString());
            return this;
        }

        @Override
        public CloudEventContextWriter withContextAttribute(String name, String value) {
            if (name.equals(CloudEventV1.DATACONTENTTYPE)) {
                message.putAttributes(CONTENT_TYPE, value);
            } else {
                message.putAttributes(PREFIX + name, value);
            }
            return this;
        }

        @Override
        public PubsubMessage.Builder end(CloudEventData data) {
            message.setData(ByteString.copyFrom(data.toBytes()));
            return message;
        }

        @Override
        public PubsubMessage.Builder end() {
            return message;
        }

        @Override
        public PubsubMessage.Builder setEvent(io.cloudevents.core.format.EventFormat format, byte[] value) {
            throw new UnsupportedOperationException("Herald writes Pub/Sub messages in binary mode");
        }
    }
}
