package dev.herald.test.arch;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import dev.herald.dispatch.BatchHandler;
import dev.herald.dispatch.DispatchObserver;
import dev.herald.dispatch.Dispatcher;
import dev.herald.dispatch.EventHandler;
import dev.herald.event.Provenance;
import dev.herald.store.DataHandler;
import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.Transport;
import io.cloudevents.CloudEvent;
import java.util.concurrent.Callable;

/**
 * Rules for subscriber classes: they implement Herald's handler contract and leave dispatch to Herald.
 *
 * <p>The handler contract is one of {@link EventHandler}, {@link BatchHandler} or {@link DataHandler}:
 * return to acknowledge, throw to have the event retried and then dead-lettered. The dispatch plumbing
 * behind it — polling a {@link Consumer}, settling a {@link Delivery} (ack, nack, dead letter), running a
 * {@link Dispatcher}, observing dispatch, opening a {@link Provenance#handling} scope — is what gives
 * every subscriber retries with backoff, dead letters, causation links and the dispatch log. A handler
 * that does any of it itself bypasses those for its events, the way a GitLab subscriber that overrides
 * {@code perform} bypasses the EventStore's.
 *
 * <p>Handlers written as lambdas or method references are not classes, so these rules cannot see them;
 * the plumbing rule still covers the class that holds such a method.
 */
public final class SubscriberRules {

    /** Classes implementing {@link EventHandler}, {@link BatchHandler} or {@link DataHandler}. */
    public static final DescribedPredicate<JavaClass> HANDLERS = DescribedPredicate.describe(
            "implement EventHandler, BatchHandler or DataHandler",
            (JavaClass c) -> !c.isInterface() && (c.isAssignableTo(EventHandler.class)
                    || c.isAssignableTo(BatchHandler.class) || c.isAssignableTo(DataHandler.class)));

    /** By default a class is a subscriber when its simple name ends with {@code Subscriber}. */
    public static final DescribedPredicate<JavaClass> NAMED_SUBSCRIBER = DescribedPredicate.describe(
            "are named *Subscriber", (JavaClass c) -> c.getSimpleName().endsWith("Subscriber"));

    private static final DescribedPredicate<JavaClass> DISPATCH_PLUMBING = assignableTo(Consumer.class)
            .or(assignableTo(Delivery.class))
            .or(assignableTo(Transport.class))
            .or(assignableTo(Dispatcher.class))
            .or(assignableTo(DispatchObserver.class))
            .as("are Herald's dispatch plumbing (Consumer, Delivery, Transport, Dispatcher, DispatchObserver)");

    private SubscriberRules() {
    }

    /** Classes named {@code *Subscriber} implement a handler interface. */
    public static ArchRule subscribersImplementTheHandlerContract() {
        return subscribersImplementTheHandlerContract(NAMED_SUBSCRIBER);
    }

    /** The classes {@code subscribers} selects (by name, annotation, package, …) implement a handler interface. */
    public static ArchRule subscribersImplementTheHandlerContract(DescribedPredicate<? super JavaClass> subscribers) {
        return ArchRuleDefinition.classes().that(subscribers).and().areNotInterfaces()
                .should(implementAHandlerInterface())
                .allowEmptyShould(true);
    }

    /**
     * Handler classes do not implement, call or construct the dispatch plumbing, and do not open a
     * provenance scope of their own.
     */
    public static ArchRule subscribersDoNotOverrideTheDispatchPlumbing() {
        return ArchRuleDefinition.noClasses().that(HANDLERS)
                .should().dependOnClassesThat(DISPATCH_PLUMBING)
                .orShould().callMethod(Provenance.class, "handling", CloudEvent.class, Callable.class)
                .because("retries, dead letters, causation and the dispatch log come from Herald's dispatcher: "
                        + "a handler returns or throws, and Herald does the rest")
                .allowEmptyShould(true);
    }

    private static ArchCondition<JavaClass> implementAHandlerInterface() {
        return new ArchCondition<>("implement EventHandler, BatchHandler or DataHandler") {
            @Override
            public void check(JavaClass javaClass, ConditionEvents events) {
                if (!HANDLERS.test(javaClass)) {
                    events.add(SimpleConditionEvent.violated(javaClass, javaClass.getName() + " is a subscriber but "
                            + "implements none of EventHandler, BatchHandler, DataHandler "
                            + javaClass.getSourceCodeLocation()));
                }
            }
        };
    }
}
