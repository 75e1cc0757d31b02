package io.wharf.server;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The layers of DESIGN.md: dependencies point down only. */
class ArchitectureTest {

    private static JavaClasses wharf;

    @BeforeAll
    static void importClasses() {
        wharf = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.wharf");
    }

    @Test
    void storageShouldKnowNothingOfNettyProtocolsOrTheLayersAboveIt() {
        noClasses().that().resideInAPackage("io.wharf.storage..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "io.wharf.protocol..",
                        "io.wharf.core..", "io.wharf.server..", "io.wharf.management..", "org.apache.kafka..")
                .check(wharf);
    }

    @Test
    void coreShouldKnowNothingOfProtocolsOrTheServer() {
        noClasses().that().resideInAPackage("io.wharf.core..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "io.wharf.protocol..",
                        "io.wharf.server..", "io.wharf.management..", "org.apache.kafka..")
                .check(wharf);
    }

    @Test
    void onlyTheKafkaAdapterShouldImportKafka() {
        noClasses().that().resideOutsideOfPackage("io.wharf.protocol.kafka..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.kafka..")
                .check(wharf);
    }

    @Test
    void protocolAdaptersShouldShareCodeOnlyThroughTheCommonModule() {
        String[] adapters = {"amqp", "kafka", "mqtt", "stomp"};
        for (String adapter : adapters) {
            for (String other : adapters) {
                if (!other.equals(adapter)) {
                    noClasses().that().resideInAPackage("io.wharf.protocol." + adapter + "..")
                            .should().dependOnClassesThat().resideInAPackage("io.wharf.protocol." + other + "..")
                            .check(wharf);
                }
            }
        }
        noClasses().that().resideInAPackage("io.wharf.protocol.common..")
                .should().dependOnClassesThat().resideInAnyPackage("io.wharf.protocol.amqp..", "io.wharf.protocol.kafka..",
                        "io.wharf.protocol.mqtt..", "io.wharf.protocol.stomp..", "io.wharf.server..")
                .check(wharf);
    }

    @Test
    void managementShouldSeeTheBrokerOnlyThroughTheCore() {
        noClasses().that().resideInAPackage("io.wharf.management..")
                .should().dependOnClassesThat().resideInAnyPackage("io.wharf.protocol.amqp..", "io.wharf.protocol.kafka..",
                        "io.wharf.protocol.mqtt..", "io.wharf.protocol.stomp..", "io.wharf.server..")
                .check(wharf);
    }

    @Test
    void storageShouldNotLogThroughLogbackDirectly() {
        noClasses().that().resideInAnyPackage("io.wharf.storage..", "io.wharf.core..")
                .should().dependOnClassesThat().resideInAPackage("ch.qos.logback..")
                .check(wharf);
    }
}
