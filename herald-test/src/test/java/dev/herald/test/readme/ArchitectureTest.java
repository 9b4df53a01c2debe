package dev.herald.test.readme;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.herald.schema.SchemaRegistry;
import dev.herald.test.arch.DomainRules;
import dev.herald.test.arch.Domains;
import dev.herald.test.arch.EventTypeRules;
import dev.herald.test.arch.SubscriberRules;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    private static final JavaClasses APP = new ClassFileImporter().importPackages("dev.herald.test.readme.app");
    private static final Domains DOMAINS = Domains.subpackagesOf("dev.herald.test.readme.app");

    @Test
    void domainsMeetOnlyInEvents() {
        DomainRules.domainsPublishInsteadOfCallingEachOther(DOMAINS).check(APP);
    }

    @Test
    void subscribersLeaveDispatchToHerald() {
        SubscriberRules.subscribersImplementTheHandlerContract().check(APP);
        SubscriberRules.subscribersDoNotOverrideTheDispatchPlumbing().check(APP);
    }

    @Test
    void everyTypeTheAppNamesHasASchema() {
        EventTypeRules.publishedTypesHaveSchemas(SchemaRegistry.builtinCatalog()).check(APP);
        EventTypeRules.subscribedTypesHaveSchemas(SchemaRegistry.builtinCatalog()).check(APP);
    }
}
