import {
  AmbientLight,
  Box3,
  Color,
  DirectionalLight,
  Mesh,
  MeshStandardMaterial,
  PerspectiveCamera,
  Raycaster,
  Scene,
  Vector2,
  Vector3,
  WebGLRenderer,
} from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import { segmentColor } from "./colors.js";
import { fetchIndex, loadGeometry, type SegmentEntry } from "./load.js";
import { scaleBar } from "./scale-bar.js";

/** Background colour of the 3D view (tests look for pixels that differ from it). */
export const BACKGROUND = 0x101018;

/** What the page exposes as `window.tessera` for scripting and tests. */
export interface ViewerHandle {
  /** Resolves when every mesh is loaded and drawn once. */
  ready: Promise<void>;
  /** Segment ids loaded. */
  ids(): number[];
  /** Currently selected id, or null. */
  selected(): number | null;
  /** Select a segment (and frame it), or clear with null; false when the id is unknown. */
  select(id: number | null, frame?: boolean): boolean;
  /** Show or hide a segment. */
  setVisible(id: number, visible: boolean): void;
  /** Ids currently visible. */
  visibleIds(): number[];
}

function el<T extends HTMLElement>(doc: Document, id: string): T {
  const e = doc.getElementById(id);
  if (!e) throw new Error(`missing #${id}`);
  return e as T;
}

/** Build the viewer in `doc`: load the run's meshes, wire picking, search, visibility, scale bar. */
export async function createViewer(doc: Document): Promise<ViewerHandle> {
  const canvas = el<HTMLCanvasElement>(doc, "view");
  const status = el(doc, "status");
  const renderer = new WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(window.devicePixelRatio);
  const scene = new Scene();
  scene.background = new Color(BACKGROUND);
  const camera = new PerspectiveCamera(45, 1, 1, 1e7);
  scene.add(new AmbientLight(0xffffff, 0.55));
  const sun = new DirectionalLight(0xffffff, 1.6);
  camera.add(sun);
  sun.position.set(0.5, 1, 1);
  scene.add(camera);
  const controls = new OrbitControls(camera, canvas);
  controls.enableDamping = false;

  const meshes = new Map<number, Mesh>();
  const entries = new Map<number, SegmentEntry>();
  let selected: number | null = null;

  const resize = () => {
    const w = canvas.clientWidth || window.innerWidth;
    const h = canvas.clientHeight || window.innerHeight;
    renderer.setSize(w, h, false);
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
  };
  const render = () => {
    renderer.render(scene, camera);
    const h = canvas.clientHeight || window.innerHeight;
    const dist = camera.position.distanceTo(controls.target);
    const nmPerPixel = (2 * dist * Math.tan((camera.fov * Math.PI) / 360)) / h;
    const bar = scaleBar(nmPerPixel);
    el(doc, "scalebar-line").style.width = `${bar.pixels}px`;
    el(doc, "scalebar-label").textContent = bar.label;
  };
  window.addEventListener("resize", () => {
    resize();
    render();
  });
  controls.addEventListener("change", render);

  const frame = (box: Box3) => {
    const center = box.getCenter(new Vector3());
    const radius = box.getSize(new Vector3()).length() / 2 || 1;
    const dist = radius / Math.sin((camera.fov * Math.PI) / 360);
    camera.position.copy(center).add(new Vector3(0.6, -0.5, 1).normalize().multiplyScalar(dist));
    camera.near = dist / 100;
    camera.far = dist * 100;
    camera.updateProjectionMatrix();
    controls.target.copy(center);
    controls.update();
  };

  const handle: ViewerHandle = {
    ready: Promise.resolve(),
    ids: () => [...meshes.keys()],
    selected: () => selected,
    select(id, doFrame = false) {
      if (selected !== null) {
        const m = meshes.get(selected);
        if (m) (m.material as MeshStandardMaterial).emissive.setHex(0x000000);
      }
      if (id === null || !meshes.has(id)) {
        selected = null;
        el(doc, "selection").hidden = true;
        render();
        return id === null;
      }
      selected = id;
      const mesh = meshes.get(id) as Mesh;
      (mesh.material as MeshStandardMaterial).emissive.setHex(0x555555);
      const box = new Box3().setFromObject(mesh);
      const size = box.getSize(new Vector3());
      const entry = entries.get(id);
      el(doc, "sel-id").textContent = String(id);
      el(doc, "sel-size").textContent =
        `${entry?.triangles ?? 0} triangles · ${(size.x / 1000).toFixed(2)} × ${(size.y / 1000).toFixed(2)} × ${(size.z / 1000).toFixed(2)} µm`;
      el(doc, "toggle-selected").textContent = mesh.visible ? "Hide" : "Show";
      el(doc, "selection").hidden = false;
      if (doFrame) frame(box);
      render();
      return true;
    },
    setVisible(id, visible) {
      const mesh = meshes.get(id);
      if (!mesh) return;
      mesh.visible = visible;
      const box = doc.querySelector<HTMLInputElement>(`input[data-id="${id}"]`);
      if (box) box.checked = visible;
      if (id === selected) el(doc, "toggle-selected").textContent = visible ? "Hide" : "Show";
      render();
    },
    visibleIds: () => [...meshes].filter(([, m]) => m.visible).map(([id]) => id),
  };

  // picking: a click (not a drag) selects the nearest visible neuron under the pointer
  const raycaster = new Raycaster();
  let down: [number, number] | null = null;
  canvas.addEventListener("pointerdown", (e) => {
    down = [e.clientX, e.clientY];
  });
  canvas.addEventListener("pointerup", (e) => {
    if (!down || Math.hypot(e.clientX - down[0], e.clientY - down[1]) > 4) return;
    const rect = canvas.getBoundingClientRect();
    const ndc = new Vector2(
      ((e.clientX - rect.left) / rect.width) * 2 - 1,
      -((e.clientY - rect.top) / rect.height) * 2 + 1,
    );
    raycaster.setFromCamera(ndc, camera);
    const hit = raycaster.intersectObjects(
      [...meshes.values()].filter((m) => m.visible),
      false,
    )[0];
    handle.select(hit ? (hit.object.userData.id as number) : null);
  });

  el<HTMLFormElement>(doc, "search").addEventListener("submit", (e) => {
    e.preventDefault();
    const id = Number(el<HTMLInputElement>(doc, "search-id").value.trim());
    const found = Number.isInteger(id) && handle.select(id, true);
    status.textContent = found
      ? `segment ${id}`
      : `no segment ${el<HTMLInputElement>(doc, "search-id").value}`;
  });
  el(doc, "toggle-selected").addEventListener("click", () => {
    if (selected !== null) handle.setVisible(selected, !(meshes.get(selected) as Mesh).visible);
  });
  el(doc, "show-all").addEventListener("click", () => {
    for (const id of meshes.keys()) handle.setVisible(id, true);
  });
  el(doc, "hide-all").addEventListener("click", () => {
    for (const id of meshes.keys()) handle.setVisible(id, false);
  });

  (window as unknown as { tessera: ViewerHandle }).tessera = handle;
  resize();
  handle.ready = (async () => {
    const found = await fetchIndex();
    if (!found) {
      status.textContent = "this run has no meshes.json (run `tessera mesh` first)";
      render();
      return;
    }
    const { index, base } = found;
    const list = el(doc, "segments");
    let loaded = 0;
    await Promise.all(
      index.segments.map(async (entry) => {
        const geometry = await loadGeometry(base + entry.file, index.format);
        if (!geometry.getAttribute("normal")) geometry.computeVertexNormals();
        const [r, g, b] = segmentColor(entry.id);
        const mesh = new Mesh(
          geometry,
          new MeshStandardMaterial({ color: new Color(r, g, b), roughness: 0.6, metalness: 0.05 }),
        );
        mesh.userData.id = entry.id;
        meshes.set(entry.id, mesh);
        entries.set(entry.id, entry);
        scene.add(mesh);
        status.textContent = `loading ${++loaded}/${index.segments.length}`;
      }),
    );
    for (const entry of [...index.segments].sort((a, b) => a.id - b.id)) {
      const li = doc.createElement("li");
      const box = doc.createElement("input");
      box.type = "checkbox";
      box.checked = true;
      box.dataset.id = String(entry.id);
      box.addEventListener("change", () => handle.setVisible(entry.id, box.checked));
      const sw = doc.createElement("span");
      sw.className = "swatch";
      sw.style.background = `rgb(${segmentColor(entry.id)
        .map((c) => Math.round(c * 255))
        .join(",")})`;
      const label = doc.createElement("button");
      label.type = "button";
      label.textContent = String(entry.id);
      label.addEventListener("click", () => handle.select(entry.id, true));
      li.append(box, sw, label);
      list.append(li);
    }
    const box = new Box3();
    for (const m of meshes.values()) box.expandByObject(m);
    frame(box);
    status.textContent = `${meshes.size} segments`;
    render();
  })();
  await handle.ready;
  return handle;
}
