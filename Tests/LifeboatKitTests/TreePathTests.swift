import LifeboatKit
import Testing

@Suite("TreePath")
struct TreePathTests {
    private func path(_ text: String) -> TreePath { TreePath(bytes: Array(text.utf8)) }

    @Test("order is depth-first with siblings bytewise: a folder's contents come before a sibling that extends its name")
    func order() {
        let sorted = ["srv/a", "srv/a/b", "srv/a/b/c", "srv/a.txt", "srv/a0", "srv/b"].map(path)
        #expect(sorted.shuffled().sorted() == sorted)
        #expect(path("srv/a/z") < path("srv/a.txt"))
    }

    @Test("confinement rejects absolute paths, dot components, empty components and NUL bytes")
    func confinement() {
        #expect(path("srv/app/x").isConfined)
        #expect(path("srv/app/..data").isConfined)
        for bad in ["/etc/passwd", "srv/../etc", "..", "srv/./x", "srv//x", "", "srv/x/"] {
            #expect(!path(bad).isConfined, "\(bad)")
        }
        #expect(!TreePath(bytes: [0x61, 0x00, 0x62]).isConfined)
    }

    @Test("isWithin respects component boundaries")
    func within() {
        #expect(path("srv/app/x").isWithin(path("srv/app")))
        #expect(path("srv/app").isWithin(path("srv/app")))
        #expect(!path("srv/app2/x").isWithin(path("srv/app")))
    }

    @Test("absolute source paths drop their leading slash")
    func absolute() {
        #expect(TreePath(absolute: "/srv/app") == path("srv/app"))
    }
}
