import Foundation
import Testing

/// Compares `actual` with `Golden/NAME.txt` beside the calling test's file; `RECORD_GOLDEN=1` writes it instead, for
/// review in the diff, and fails when that changed the file (a recording run is never green by recording). A
/// missing golden fails.
public func assertGolden(_ actual: String, _ name: String, filePath: String = #filePath,
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name).txt")
    if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
        let before = try? String(contentsOf: url, encoding: .utf8)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try actual.write(to: url, atomically: true, encoding: .utf8)
        if before != actual {
            Issue.record("recorded \(name).txt anew: review the diff, then run again without RECORD_GOLDEN", sourceLocation: sourceLocation)
        }
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        Issue.record("no golden file \(url.path); run with RECORD_GOLDEN=1 and review it", sourceLocation: sourceLocation)
        return
    }
    #expect(actual == expected, "output differs from \(name).txt:\n\(actual)", sourceLocation: sourceLocation)
}

/// Fails unless the golden files beside the calling test's file are exactly `names`: a file no test reads misleads
/// whoever reviews it (remove it), and a name with no file was never recorded.
public func assertGoldenFilesAre(_ names: [String], filePath: String = #filePath,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws {
    let folder = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    let files = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)
        .filter { $0.hasSuffix(".txt") }.map { String($0.dropLast(4)) })
    let unread = files.subtracting(names).sorted(), missing = Set(names).subtracting(files).sorted()
    #expect(unread.isEmpty, "golden files that no test reads: \(unread.joined(separator: ", "))", sourceLocation: sourceLocation)
    #expect(missing.isEmpty, "goldens never recorded: \(missing.joined(separator: ", "))", sourceLocation: sourceLocation)
}
