package dev.herald.test.arch;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.herald.schema.SchemaRegistry;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Herald's own code against its layering and against the rules herald-test ships.
 *
 * <p>The classes come from the test classpath: every module this module depends on (see its pom:
 * herald-core, herald-embedded, herald-tck, and herald-test itself) is checked, test classes are not.
 * A new module is checked once it is added there as a test dependency; the layering rules are written
 * on package names ({@code dev.herald.transport.<name>}), so a new transport needs no new rule.
 */
class HeraldArchitectureTest {

    private static final JavaClasses HERALD = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.herald");

    @Test
    void theImportHoldsEveryModuleOnTheClasspath() {
        // Guards against a rule passing because it saw nothing.
        assertThat(Stream.of("dev.herald.store.EventStore", "dev.herald.transport.memory.InMemoryTransport",
                "dev.herald.transport.embedded.EmbeddedTransport", "dev.herald.tck.TransportConformanceTest",
                "dev.herald.test.HeraldExtension")).allMatch(HERALD::contain);
        assertThat(HERALD.stream().map(JavaClass::getPackageName)).noneMatch(p -> p.contains("badfixture"));
    }

    static Stream<ArchRule> layering() {
        return HeraldLayering.rules("dev.herald").stream();
    }

    @ParameterizedTest
    @MethodSource("layering")
    void heraldKeepsItsLayering(ArchRule rule) {
        rule.check(HERALD);
    }

    @Test
    void heraldsOwnSubscribersKeepTheHandlerContract() {
        SubscriberRules.subscribersImplementTheHandlerContract().check(HERALD);
        SubscriberRules.subscribersDoNotOverrideTheDispatchPlumbing().check(HERALD);
    }

    /**
     * The conformance kit writes its events straight to the Transport SPI, where no registry applies, so
     * its made-up types are not checked.
     */
    @Test
    void heraldsOwnPublishersNameRegisteredTypes() {
        JavaClasses publishingThroughAStore = HERALD.that(resideInAPackage("dev.herald.tck..").negate());
        EventTypeRules.publishedTypesHaveSchemas(SchemaRegistry.builtinCatalog()).check(publishingThroughAStore);
        EventTypeRules.subscribedTypesHaveSchemas(SchemaRegistry.builtinCatalog()).check(publishingThroughAStore);
    }
}
