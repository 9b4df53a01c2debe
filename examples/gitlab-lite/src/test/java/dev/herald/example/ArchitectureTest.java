package dev.herald.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.herald.schema.SchemaRegistry;
import dev.herald.test.arch.DomainRules;
import dev.herald.test.arch.Domains;
import dev.herald.test.arch.EventTypeRules;
import dev.herald.test.arch.SubscriberRules;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** GitLab-lite against the rules herald-test ships: domains meet only in events, and every type has a schema. */
class ArchitectureTest {

    private static final JavaClasses APP = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.herald.example");
    /** dev.herald.example.ci, .security, … are the domains; GitLabLite, which wires them, is none. */
    private static final Domains DOMAINS = Domains.subpackagesOf("dev.herald.example");

    @Test
    void theRulesSeeEveryDomain() {
        assertThat(APP.stream().map(DOMAINS::of).flatMap(Optional::stream).distinct())
                .containsExactlyInAnyOrder("audit", "ci", "mergerequests", "notifications", "repository", "security");
    }

    @Test
    void domainsTalkOnlyThroughEvents() {
        DomainRules.domainsPublishInsteadOfCallingEachOther(DOMAINS).check(APP);
        DomainRules.domainsDoNotDependOnEachOther(DOMAINS).check(APP);
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
