package dev.herald.test.arch;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.Source;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import dev.herald.schema.SchemaRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;

/**
 * "Every type that code publishes has a schema", as far as a static check can tell.
 *
 * <p>What it catches: a string constant — a literal or a {@code static final} field — passed straight to
 * {@code EventBuilder.type(…)} or {@code CloudEventBuilder.withType(…)} that names no type of the registry
 * (a typo, a type whose schema was never added); with {@link #subscribedTypesHaveSchemas}, the same for
 * {@code SubscribeOptions.forTypes(…)}, {@code Filter.exact("type", …)} and {@code Filter.prefix("type", …)},
 * where a typo means a subscriber that silently never runs.
 *
 * <p>What it cannot catch: a type computed at run time, or passed through a variable, a parameter or a
 * helper method ({@code pipelineEvent("ci.pipeline.created", …)} that calls {@code .type(type)}) — the
 * bytecode does not say what such a value holds; types named in a CESQL filter; a class whose bytecode
 * ArchUnit could not locate. Those are left to the run time: the store refuses an event without a schema,
 * and {@code HeraldExtension} fails any test during which that happened, even inside a handler.
 */
public final class EventTypeRules {

    private static final Set<String> BUILDERS = Set.of("dev.herald.event.EventBuilder",
            "io.cloudevents.core.builder.CloudEventBuilder", "io.cloudevents.core.v1.CloudEventBuilder",
            "io.cloudevents.core.impl.BaseCloudEventBuilder");
    private static final Set<String> SUBSCRIBING = Set.of("dev.herald.store.SubscribeOptions", "dev.herald.filter.Filter");

    private EventTypeRules() {
    }

    /** Constant types passed to {@code EventBuilder.type} / {@code CloudEventBuilder.withType} have a schema. */
    public static ArchRule publishedTypesHaveSchemas(SchemaRegistry registry) {
        return ArchRuleDefinition.classes()
                .should(nameOnlyRegisteredTypes(registry, true))
                .allowEmptyShould(true);
    }

    /** Constant types passed to {@code SubscribeOptions.forTypes} and type filters have a schema. */
    public static ArchRule subscribedTypesHaveSchemas(SchemaRegistry registry) {
        return ArchRuleDefinition.classes()
                .should(nameOnlyRegisteredTypes(registry, false))
                .allowEmptyShould(true);
    }

    private static ArchCondition<JavaClass> nameOnlyRegisteredTypes(SchemaRegistry registry, boolean published) {
        String description = published
                ? "publish only event types that have a schema in the registry"
                : "subscribe only to event types that have a schema in the registry";
        return new ArchCondition<>(description) {
            @Override
            public void check(JavaClass javaClass, ConditionEvents events) {
                if (!callsAny(javaClass, published ? BUILDERS : SUBSCRIBING)) {
                    return; // only read the bytecode of classes that can name a type at all
                }
                Set<String> types = registry.types();
                for (EventTypeConstants.Found found : constants(javaClass)) {
                    if ((found.kind() == EventTypeConstants.Kind.PUBLISHED) != published || known(found, types)) {
                        continue;
                    }
                    String what = switch (found.kind()) {
                        case PUBLISHED -> "publishes event type '" + found.type() + "', which has no schema";
                        case SUBSCRIBED -> "subscribes to event type '" + found.type() + "', which has no schema";
                        case SUBSCRIBED_PREFIX -> "subscribes to the type prefix '" + found.type()
                                + "', which no type starts with";
                    };
                    String message = javaClass.getName() + "." + found.method() + "() " + what + " in the registry ("
                            + sourceFile(javaClass) + ":" + found.line() + "); registered types: " + types;
                    events.add(SimpleConditionEvent.violated(javaClass, message));
                }
            }
        };
    }

    private static boolean known(EventTypeConstants.Found found, Set<String> types) {
        return found.kind() == EventTypeConstants.Kind.SUBSCRIBED_PREFIX
                ? types.stream().anyMatch(type -> type.startsWith(found.type()))
                : types.contains(found.type());
    }

    private static boolean callsAny(JavaClass javaClass, Set<String> owners) {
        for (JavaMethodCall call : javaClass.getMethodCallsFromSelf()) {
            if (owners.contains(call.getTargetOwner().getName())) {
                return true;
            }
        }
        return false;
    }

    private static List<EventTypeConstants.Found> constants(JavaClass javaClass) {
        Source source = javaClass.getSource().orElse(null);
        if (source == null) {
            return List.of();
        }
        try (InputStream in = source.getUri().toURL().openStream()) {
            return EventTypeConstants.in(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bytecode of " + javaClass.getName()
                    + " from " + source.getUri(), e);
        }
    }

    private static String sourceFile(JavaClass javaClass) {
        return javaClass.getSource().flatMap(Source::getFileName).orElse(javaClass.getSimpleName() + ".java");
    }
}
