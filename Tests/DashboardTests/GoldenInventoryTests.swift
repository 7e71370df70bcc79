import Testing
import TestSupport

struct GoldenInventoryTests {
    /// Every golden frame under Golden/ is one a test here compares with, and each of those exists.
    @Test func everyGoldenFileIsReadByATest() throws {
        let tables = FrameTests.sizes.flatMap { w, h in ["unicode", "ascii"].map { "table-\($0)-\(w)x\(h)" } }
        let views = ViewGoldenTests.views.flatMap { view in
            FrameTests.viewSizes.flatMap { w, h in ViewGoldenTests.styles.map { "view-\(view)-\($0)-\(w)x\(h)" } }
        }
        try assertGoldenFilesAre(tables + views + LogViewFrameTests.goldens + SnapshotFormatTests.goldens)
    }
}
