import ArgumentParser

/// `-o table|json|yaml`.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    case table, json, yaml
}
