// Bundle entry: window.WritersRoomEditor (src/editor.js) and window.WritersRoomCollab (src/collab.js).
import "./editor.js";
import "./collab.js"; // brings src/comments.js (comment anchors and highlights): session.comments
import "./features.js"; // window.WritersRoomFeatures: SmartType, find, revision marks, save (src/features.js)
