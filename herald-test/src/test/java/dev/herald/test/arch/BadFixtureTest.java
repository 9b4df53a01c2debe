package dev.herald.test.arch;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import dev.herald.schema.SchemaRegistry;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** Every rule fails on the deliberately bad fixture ({@code dev.herald.test.badfixture}), naming the offender. */
class BadFixtureTest {

    private static final String FIXTURE = "dev.herald.test.badfixture";
    private static final JavaClasses CLASSES = new ClassFileImporter().importPackages(FIXTURE);
    private static final Domains DOMAINS = Domains.subpackagesOf(FIXTURE);

    @Test
    void aDomainCallingAnotherDomainsHandlerFailsTheDomainRule() {
        assertFails(DomainRules.domainsPublishInsteadOfCallingEachOther(DOMAINS))
                .hasMessageContaining(FIXTURE + ".shipping.ShipmentService (domain shipping) uses "
                        + FIXTURE + ".billing.InvoiceSubscriber")
                .hasMessageContaining("of domain billing")
                .hasMessageContaining("ShipmentService.java:")
                .hasMessageNotContaining("Invoicing (domain");
    }

    @Test
    void theStrictDomainRuleFailsOnAnyDependencyBetweenDomains() {
        assertFails(DomainRules.domainsDoNotDependOnEachOther(DOMAINS))
                .hasMessageContaining("ShipmentService")
                .hasMessageContaining("InvoiceSubscriber");
    }

    @Test
    void aSubscriberSettlingDeliveriesItselfFailsThePlumbingRule() {
        assertFails(SubscriberRules.subscribersDoNotOverrideTheDispatchPlumbing())
                .hasMessageContaining(FIXTURE + ".shipping.SelfAckingSubscriber.settle(" )
                .hasMessageContaining("Delivery.ack()")
                .hasMessageContaining("Provenance.handling(")
                .hasMessageNotContaining("InvoiceSubscriber");
    }

    @Test
    void aSubscriberWithoutAHandlerInterfaceFailsTheContractRule() {
        assertFails(SubscriberRules.subscribersImplementTheHandlerContract())
                .hasMessageContaining(FIXTURE + ".shipping.LabelSubscriber is a subscriber but implements none of")
                .hasMessageNotContaining("SelfAckingSubscriber")
                .hasMessageNotContaining("InvoiceSubscriber");
    }

    @Test
    void aPublishedTypeWithoutASchemaFailsThePublishedTypesRule() {
        assertFails(EventTypeRules.publishedTypesHaveSchemas(SchemaRegistry.builtinCatalog()))
                .hasMessageContaining(FIXTURE + ".billing.Invoicing.sendInvoice() publishes event type "
                        + "'billing.invoice_sent', which has no schema in the registry (Invoicing.java:")
                .hasMessageNotContaining("projects.project.deleted'");
    }

    @Test
    void aSubscribedTypeWithoutASchemaFailsTheSubscribedTypesRule() {
        assertFails(EventTypeRules.subscribedTypesHaveSchemas(SchemaRegistry.builtinCatalog()))
                .hasMessageContaining(FIXTURE + ".billing.Invoicing.start() subscribes to event type "
                        + "'shipping.parcel_sent', which has no schema")
                .hasMessageContaining("subscribes to the type prefix 'billing.', which no type starts with");
    }

    @Test
    void aCorePackageUsingATransportImplementationFailsTheCoreRule() {
        assertFails(HeraldLayering.coreDependsOnNoTransportImplementation(FIXTURE + ".layering"))
                .hasMessageContaining(FIXTURE + ".layering.store.LeakyStore")
                .hasMessageContaining("KafkaLikeTransport")
                .hasMessageNotContaining("MemoryLikeTransport");
    }

    @Test
    void aTransportUsingAnotherTransportFailsTheTransportRule() {
        assertFails(HeraldLayering.transportsDoNotDependOnEachOther(FIXTURE + ".layering"))
                .hasMessageContaining(FIXTURE + ".layering.transport.kafka.KafkaLikeTransport")
                .hasMessageContaining("EmbeddedLikeLog");
    }

    @Test
    void aTransportUsingTheServerFailsTheAboveCoreRule() {
        assertFails(HeraldLayering.transportsDependOnNothingAboveCore(FIXTURE + ".layering"))
                .hasMessageContaining(FIXTURE + ".layering.transport.kafka.KafkaLikeTransport.report()")
                .hasMessageContaining("AdminApi.announce(");
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertFails(ArchRule rule) {
        return assertThatThrownBy(() -> rule.check(CLASSES)).isInstanceOf(AssertionError.class);
    }
}
