package io.wharf.server;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static org.assertj.core.api.Assertions.assertThat;

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
    void onlyTheClusterModuleShouldImportRatis() {
        noClasses().that().resideOutsideOfPackage("io.wharf.cluster..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.ratis..")
                .check(wharf);
    }

    @Test
    void clusterShouldKnowNothingOfProtocolsTheServerOrWharfsNetty() {
        noClasses().that().resideInAPackage("io.wharf.cluster..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "io.wharf.protocol..",
                        "io.wharf.server..", "io.wharf.management..", "org.apache.kafka..")
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

    /**
     * Broker state has one owner thread and changes by commands (DESIGN.md): no monitor or lock
     * guards it, in the core or in the protocol adapters' sessions. Synchronized methods and lock
     * classes are found in the bytecode; synchronized blocks leave no trace there that ArchUnit
     * reads, so the sources are searched for them.
     */
    @Test
    void brokerStateShouldBeGuardedByOwnersNotLocks() throws IOException {
        String[] owned = {"io.wharf.core..", "io.wharf.protocol.."};
        noClasses().that().resideInAnyPackage(owned)
                .should().dependOnClassesThat().resideInAPackage("java.util.concurrent.locks..")
                .check(wharf);
        noMethods().that().areDeclaredInClassesThat().resideInAnyPackage(owned)
                .should().haveModifier(JavaModifier.SYNCHRONIZED)
                .check(wharf);
        Pattern block = Pattern.compile("\\bsynchronized\\s*\\(");
        for (String module : List.of("wharf-core", "wharf-protocol-common", "wharf-protocol-amqp", "wharf-protocol-kafka",
                "wharf-protocol-mqtt", "wharf-protocol-stomp")) {
            try (Stream<Path> sources = Files.walk(Path.of("..", module, "src", "main", "java"))) {
                List<String> offenders = sources.filter(p -> p.toString().endsWith(".java"))
                        .filter(p -> block.matcher(read(p)).find())
                        .map(Path::toString).toList();
                assertThat(offenders).as("synchronized blocks in " + module).isEmpty();
            }
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adapters read messages through the core (queues, stream partitions), never from storage's logs and stores. */
    @Test
    void protocolAdaptersShouldNotReadStorageDirectly() {
        noClasses().that().resideInAPackage("io.wharf.protocol..")
                .should().dependOnClassesThat(JavaClass.Predicates.belongToAnyOf(
                        io.wharf.storage.Storage.class, io.wharf.storage.log.Log.class, io.wharf.storage.log.LogManager.class))
                .orShould().dependOnClassesThat().resideInAnyPackage("io.wharf.storage.journal..", "io.wharf.storage.metadata..",
                        "io.wharf.storage.cursor..", "io.wharf.storage.file..")
                .check(wharf);
    }

    /** A virtual host's parts (definitions, routing, delayed messages) are its own: adapters use its public face and what it hands out. */
    @Test
    void protocolAdaptersShouldUseOnlyTheVirtualHostsPublicFace() {
        noClasses().that().resideInAPackage("io.wharf.protocol..")
                .should().dependOnClassesThat(JavaClass.Predicates.resideInAPackage("io.wharf.core.vhost")
                        .and(DescribedPredicate.not(JavaClass.Predicates.belongToAnyOf(io.wharf.core.vhost.VirtualHost.class,
                                io.wharf.core.vhost.DirectReplyTo.class, io.wharf.core.vhost.RetainedMessages.class,
                                io.wharf.core.vhost.StreamAdmin.class))))
                .check(wharf);
    }

    /** Clients log in through the core's session layer, one way for every protocol, never against the user store itself. */
    @Test
    void protocolAdaptersShouldLogClientsInThroughTheSessionLayer() {
        noClasses().that().resideInAPackage("io.wharf.protocol..")
                .should().dependOnClassesThat(JavaClass.Predicates.belongToAnyOf(io.wharf.core.auth.UserStore.class))
                .check(wharf);
    }

    @Test
    void storageShouldNotLogThroughLogbackDirectly() {
        noClasses().that().resideInAnyPackage("io.wharf.storage..", "io.wharf.core..")
                .should().dependOnClassesThat().resideInAPackage("ch.qos.logback..")
                .check(wharf);
    }
}
