package io.nabla.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Keeps dependencies pointing one way (DESIGN.md): web -> {inference, jobs} -> {model, nn, optim} -> autograd ->
 * tensor -> backend, and keeps Spring out of the engine.
 */
class PackageRulesTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.nabla");

    @Test
    void layersPointOneWay() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .withOptionalLayers(true)
                .layer("Web").definedBy("io.nabla.web..")
                .layer("Config").definedBy("io.nabla.config..")
                .layer("Inference").definedBy("io.nabla.inference..")
                .layer("Jobs").definedBy("io.nabla.jobs..")
                .layer("Gpu").definedBy("io.nabla.gpu..")
                .layer("Model").definedBy("io.nabla.model..")
                .layer("Optim").definedBy("io.nabla.optim..")
                .layer("Nn").definedBy("io.nabla.nn..")
                .layer("Autograd").definedBy("io.nabla.autograd..")
                .layer("Tensor").definedBy("io.nabla.tensor..")
                .layer("Backend").definedBy("io.nabla.backend..")
                .whereLayer("Web").mayOnlyBeAccessedByLayers("Config")
                .whereLayer("Inference").mayOnlyBeAccessedByLayers("Web", "Config", "Jobs")
                .whereLayer("Jobs").mayOnlyBeAccessedByLayers("Web", "Config")
                .whereLayer("Model").mayOnlyBeAccessedByLayers("Web", "Config", "Inference", "Jobs")
                .whereLayer("Optim").mayOnlyBeAccessedByLayers("Web", "Config", "Inference", "Jobs", "Model")
                .whereLayer("Nn").mayOnlyBeAccessedByLayers("Web", "Config", "Inference", "Jobs", "Model", "Optim")
                .whereLayer("Autograd").mayOnlyBeAccessedByLayers("Web", "Config", "Inference", "Jobs", "Model",
                        "Optim", "Nn")
                .whereLayer("Tensor").mayOnlyBeAccessedByLayers("Web", "Config", "Inference", "Jobs", "Model",
                        "Optim", "Nn", "Autograd", "Gpu")
                .check(CLASSES);
    }

    @Test
    void engineIsPlainJava() {
        noClasses().that().resideInAnyPackage("io.nabla.tensor..", "io.nabla.autograd..", "io.nabla.nn..",
                        "io.nabla.optim..", "io.nabla.model..", "io.nabla.backend..")
                .should().dependOnClassesThat().resideInAPackage("org.springframework..")
                .allowEmptyShould(true)
                .check(CLASSES);
    }

    @Test
    void referenceBackendDependsOnNothingButTheSpi() {
        noClasses().that().resideInAPackage("io.nabla.backend.reference..")
                .should().dependOnClassesThat().resideInAnyPackage("io.nabla.backend.cpu..", "io.nabla.tensor..",
                        "io.nabla.autograd..")
                .check(CLASSES);
    }
}
