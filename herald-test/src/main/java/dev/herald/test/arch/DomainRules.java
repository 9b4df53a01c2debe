package dev.herald.test.arch;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.util.Optional;
import java.util.Set;

/**
 * Rules that keep domains talking through events: a domain publishes what happened, and the domains that
 * care subscribe — instead of calling into each other's handlers and workers, which couples them in
 * time (the caller waits, and fails when the callee fails) and skips retries and the audit trail.
 */
public final class DomainRules {

    /**
     * A domain's handlers and workers: classes implementing a handler interface, classes that subscribe to
     * an {@code EventStore} (they own the handlers they register), and classes named {@code *Handler},
     * {@code *Worker} or {@code *Subscriber}.
     */
    public static final DescribedPredicate<JavaClass> HANDLERS_AND_WORKERS = DescribedPredicate.describe(
            "handlers or workers", (JavaClass c) -> SubscriberRules.HANDLERS.test(c) || subscribes(c)
                    || c.getSimpleName().endsWith("Handler") || c.getSimpleName().endsWith("Worker")
                    || c.getSimpleName().endsWith("Subscriber"));

    private static final Set<String> SUBSCRIBE_METHODS = Set.of("subscribe", "subscribeBatch");

    private DomainRules() {
    }

    /** No class of one domain uses a handler or worker ({@link #HANDLERS_AND_WORKERS}) of another. */
    public static ArchRule domainsPublishInsteadOfCallingEachOther(Domains domains) {
        return domainsPublishInsteadOfCallingEachOther(domains, HANDLERS_AND_WORKERS);
    }

    /** No class of one domain uses a class of another domain that {@code handlersAndWorkers} selects. */
    public static ArchRule domainsPublishInsteadOfCallingEachOther(Domains domains,
                                                                   DescribedPredicate<? super JavaClass> handlersAndWorkers) {
        DescribedPredicate<JavaClass> inADomain = DescribedPredicate.describe("are in a domain of " + domains,
                (JavaClass c) -> domains.of(c).isPresent());
        return ArchRuleDefinition.classes().that(inADomain)
                .should(notUseOtherDomains(domains, handlersAndWorkers))
                .allowEmptyShould(true);
    }

    /**
     * The strict form: no class of one domain depends on any class of another — not even on its data
     * types; what domains share travels in events.
     */
    public static ArchRule domainsDoNotDependOnEachOther(Domains domains) {
        return SlicesRuleDefinition.slices().assignedFrom(new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                return domains.of(javaClass).map(SliceIdentifier::of).orElse(SliceIdentifier.ignore());
            }

            @Override
            public String getDescription() {
                return "the domains in " + domains;
            }
        }).should().notDependOnEachOther().allowEmptyShould(true);
    }

    private static ArchCondition<JavaClass> notUseOtherDomains(Domains domains,
                                                               DescribedPredicate<? super JavaClass> handlersAndWorkers) {
        return new ArchCondition<>("not call another domain's " + handlersAndWorkers.getDescription()
                + " directly, but publish an event instead") {
            @Override
            public void check(JavaClass javaClass, ConditionEvents events) {
                String domain = domains.of(javaClass).orElseThrow();
                for (Dependency dependency : javaClass.getDirectDependenciesFromSelf()) {
                    JavaClass target = dependency.getTargetClass().getBaseComponentType();
                    Optional<String> targetDomain = domains.of(target);
                    if (targetDomain.isPresent() && !targetDomain.get().equals(domain)
                            && handlersAndWorkers.test(target)) {
                        events.add(SimpleConditionEvent.violated(dependency, javaClass.getName() + " (domain " + domain
                                + ") uses " + target.getName() + ", one of the " + handlersAndWorkers.getDescription()
                                + " of domain " + targetDomain.get() + ": " + dependency.getDescription()));
                    }
                }
            }
        };
    }

    private static boolean subscribes(JavaClass javaClass) {
        return javaClass.getMethodCallsFromSelf().stream().anyMatch(call ->
                call.getTargetOwner().getName().equals("dev.herald.store.EventStore")
                        && SUBSCRIBE_METHODS.contains(call.getName()));
    }
}
