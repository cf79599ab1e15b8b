#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

/***/ }),

/***/ 4589:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:assert");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 1421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 7540:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:console");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:diagnostics_channel");

/***/ }),

/***/ 610:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");

/***/ }),

/***/ 8474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 1455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 4708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 643:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");

/***/ }),

/***/ 1792:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:querystring");

/***/ }),

/***/ 99:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:sqlite");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 7997:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:timers");

/***/ }),

/***/ 1692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 3429:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util/types");

/***/ }),

/***/ 5919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 932:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("process");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		id: moduleId,
/******/ 		loaded: false,
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Flag the module as loaded
/******/ 	module.loaded = true;
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/node module decorator */
/******/ (() => {
/******/ 	__nccwpck_require__.nmd = (module) => {
/******/ 		module.paths = [];
/******/ 		if (!module.children) module.children = [];
/******/ 		return module;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
;// CONCATENATED MODULE: ./src/delivery/redact.ts
/**
 * Redaction of secrets in everything we print. Every secret is registered with its derived forms
 * (URL-encoded, base64 of basic auth, tokens cut out of URLs, JSON-escaped) before the first log line.
 */
const MASK = '***';
/** Quoted answer bodies are cut with this marker; a secret may have been cut in half right before it. */
const CUT_MARKER = '…';
/** Below this length a value is too likely to occur by accident (and masking "1" would ruin logs). */
const MIN_SECRET_LENGTH = 4;
class Redactor {
    secrets = new Set();
    /** Registers a secret and its derived forms; returns every form added (for ::add-mask::). */
    add(secret) {
        if (!secret || secret.trim().length < MIN_SECRET_LENGTH)
            return [];
        const added = [];
        for (const form of derivedForms(secret)) {
            if (form.length >= MIN_SECRET_LENGTH && !this.secrets.has(form)) {
                this.secrets.add(form);
                added.push(form);
            }
        }
        return added;
    }
    /** Registers `user:password` basic-auth credentials (the base64 form is a secret too). */
    addBasicAuth(user, password) {
        return [...this.add(password), ...this.add(Buffer.from(`${user}:${password}`).toString('base64'))];
    }
    redact(text) {
        if (!text || this.secrets.size === 0)
            return text;
        let out = text;
        // Longest first, so a URL is replaced whole before its token would be.
        const secrets = [...this.secrets].sort((a, b) => b.length - a.length);
        for (const s of secrets) {
            if (out.includes(s))
                out = out.split(s).join(MASK);
        }
        if (out.includes(CUT_MARKER))
            out = redactCutSecrets(out, secrets);
        return out;
    }
    get size() {
        return this.secrets.size;
    }
}
/**
 * A text cut to N characters ("HTTP 400: …body…") can end in the first half of a secret, which no
 * whole-string match finds. Masks any tail of at least MIN_SECRET_LENGTH characters before the
 * marker that is a prefix of a secret.
 */
function redactCutSecrets(text, secrets) {
    return text.replace(/([^\s]*)…/g, (match, before) => {
        for (let start = 0; start <= before.length - MIN_SECRET_LENGTH; start++) {
            const tail = before.slice(start);
            if (secrets.some((s) => s.length > tail.length && s.startsWith(tail)))
                return `${before.slice(0, start)}${MASK}${CUT_MARKER}`;
        }
        return match;
    });
}
/** The forms a secret can take in a log line, an error or a request dump. */
function derivedForms(secret) {
    const forms = new Set(encodedForms(secret));
    // Secrets pasted into CI variables often carry a trailing newline that the settings trim.
    if (secret.trim() !== secret && secret.trim())
        for (const form of encodedForms(secret.trim()))
            forms.add(form);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(secret)) {
        // A token cut out of a URL travels alone, so it gets its own encoded forms too.
        for (const part of urlSecretParts(secret))
            for (const form of encodedForms(part))
                forms.add(form);
    }
    return [...forms];
}
/** The value as it appears raw, URL-encoded (both styles), JSON-escaped (once and twice) and in base64. */
function encodedForms(value) {
    const jsonEscaped = JSON.stringify(value).slice(1, -1);
    const forms = [
        value,
        encodeURIComponent(value),
        jsonEscaped,
        // A JSON body quoted inside another JSON string (a log of a request dump) escapes twice.
        JSON.stringify(jsonEscaped).slice(1, -1),
        Buffer.from(value).toString('base64'),
    ];
    try {
        forms.push(new URLSearchParams({ v: value }).toString().slice(2));
    }
    catch {
        /* not encodable */
    }
    return forms;
}
/** Token-bearing parts of a URL: userinfo, query values, and long path segments (hook ids, keys). */
function urlSecretParts(raw) {
    let url;
    try {
        url = new URL(raw);
    }
    catch {
        return [];
    }
    const parts = [];
    if (url.password)
        parts.push(url.password, safeDecode(url.password));
    if (url.username && url.password) {
        parts.push(`${url.username}:${url.password}`);
        // undici and curl turn URL credentials into a Basic header: its base64 is the same secret.
        const user = safeDecode(url.username);
        const password = safeDecode(url.password);
        parts.push(Buffer.from(`${user}:${password}`).toString('base64'), `${user}:${password}`);
    }
    for (const [, value] of url.searchParams)
        if (value.length >= 8)
            parts.push(value, encodeURIComponent(value));
    for (const seg of url.pathname.split('/')) {
        // Long or letter+digit segments are hook ids and keys; lower-case words joined by - or _
        // ("generic-webhook-trigger") are routes, and masking them would garble our own hints.
        if (/^[a-z]+(?:[-_][a-z]+)*$/.test(seg))
            continue;
        if (seg.length >= 16 || (seg.length >= 8 && /\d/.test(seg) && /[a-z]/i.test(seg)))
            parts.push(seg);
    }
    // The URL as WHATWG prints it (a trailing slash added, the host lower-cased) is the same credential.
    parts.push(url.toString());
    return parts.filter((p) => p.length >= MIN_SECRET_LENGTH);
}
function safeDecode(text) {
    try {
        return decodeURIComponent(text);
    }
    catch {
        return text;
    }
}

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/util.js

// functions
function assertEqual(val) {
    return val;
}
function assertNotEqual(val) {
    return val;
}
function toZod() {
    return (schema) => schema;
}
function assertIs(_arg) { }
function assertNever(_x) {
    throw new Error("Unexpected value in exhaustive check");
}
function assert(_) { }
function getEnumValues(entries) {
    const numericValues = Object.values(entries).filter((v) => typeof v === "number");
    const values = Object.entries(entries)
        .filter(([k, _]) => numericValues.indexOf(+k) === -1)
        .map(([_, v]) => v);
    return values;
}
function joinValues(array, separator = "|") {
    return array.map((val) => stringifyPrimitive(val)).join(separator);
}
function jsonStringifyReplacer(_, value) {
    if (typeof value === "bigint")
        return value.toString();
    return value;
}
// the accessor lives on a shared prototype: an own accessor makes every box a dictionary-mode object (~360 B and a slow load per read against ~100 B and an inlined getter here)
class Cached {
    constructor(getter) {
        this._getter = getter;
        this._value = undefined;
    }
    get value() {
        const getter = this._getter;
        if (getter !== undefined) {
            this._value = getter();
            this._getter = undefined;
        }
        return this._value;
    }
}
function cached(getter) {
    return new Cached(getter);
}
function nullish(input) {
    return input === null || input === undefined;
}
function cleanRegex(source) {
    const start = source.startsWith("^") ? 1 : 0;
    const end = source.endsWith("$") ? source.length - 1 : source.length;
    return source.slice(start, end);
}
function floatSafeRemainder(val, step) {
    const ratio = val / step;
    const roundedRatio = Math.round(ratio);
    // `val` and `step` each round to a double before the division rounds again, so a true decimal multiple's quotient can sit up to 1.5 of these scaled epsilons from the integer. A 1x tolerance therefore rejected 2.03 as a multiple of 0.07; 4x covers the worst case with margin.
    const tolerance = 4 * Number.EPSILON * Math.max(Math.abs(ratio), 1);
    if (Math.abs(ratio - roundedRatio) < tolerance)
        return 0;
    return ratio - roundedRatio;
}
const EVALUATING = /* @__PURE__*/ (/* unused pure expression or super */ null && (Symbol("evaluating")));
function defineLazy(object, key, getter) {
    let value = undefined;
    Object.defineProperty(object, key, {
        get() {
            if (value === EVALUATING) {
                // Circular reference detected, return undefined to break the cycle
                return undefined;
            }
            if (value === undefined) {
                value = EVALUATING;
                value = getter();
            }
            return value;
        },
        set(v) {
            Object.defineProperty(object, key, {
                value: v,
                // configurable: true,
            });
            // object[key] = v;
        },
        configurable: true,
    });
}
function objectClone(obj) {
    return Object.create(Object.getPrototypeOf(obj), Object.getOwnPropertyDescriptors(obj));
}
function util_assignProp(target, prop, value) {
    Object.defineProperty(target, prop, {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
    });
}
/**
 * Whichever object a def's `shape` currently answers from: the one the caller passed until the first read, the frozen copy after it.
 *
 * Its keys and descriptors read without invoking anything, which is what lets a discriminated union check its discriminator, and the cycle walk read a shape, without resolving a getter that references the schema being constructed. A def that answers `shape` from an accessor of its own has none.
 */
function rawShape(def) {
    const desc = Object.getOwnPropertyDescriptor(def, "shape");
    return desc?.get ? desc.get.raw : desc?.value;
}
// where a builder reads its source's keys and descriptors, resolving only a shape a def answers for itself. A shape resolves by object spread, so only its enumerable keys are ever part of it.
function sourceShape(schema) {
    return rawShape(schema._zod.def) ?? schema._zod.def.shape;
}
// a key whose value is not settled yet, self-caching so every read after the first gets the same one
function deferProp(target, key, getter) {
    Object.defineProperty(target, key, {
        get() {
            const value = getter();
            util_assignProp(this, key, value);
            return value;
        },
        enumerable: true,
        configurable: true,
    });
}
// Writes a settled key. A plain assignment is much cheaper than `defineProperty` and produces the same descriptor, but it runs whatever setter already answers to the key — an accessor this shape deferred, or an inherited one, which `__proto__` has on every object and prototype pollution can add for any name.
function putProp(target, key, value) {
    if (key in target)
        util_assignProp(target, key, value);
    else
        target[key] = value;
}
/**
 * Copies `keys` of `source`'s shape onto `target`, each value passed through `wrap`.
 *
 * A key the source has resolved is copied through now, so the derived shape states it outright and nothing has to resolve it to learn what it holds. A key the source still defers stays deferred, and reads back through the source's own `shape`, so it resolves once and both shapes get that one schema.
 */
function mirrorShape(target, source, keys, wrap) {
    const raw = sourceShape(source);
    for (const key of keys) {
        const desc = Object.getOwnPropertyDescriptor(raw, key);
        if (!desc.enumerable)
            continue;
        if (desc.get) {
            deferProp(target, key, () => {
                const value = source._zod.def.shape[key];
                return wrap ? wrap(value, key) : value;
            });
        }
        else
            putProp(target, key, wrap ? wrap(desc.value, key) : desc.value);
    }
}
// same, for a plain shape a caller passed rather than a schema's
function mirrorProps(target, source) {
    for (const key of Reflect.ownKeys(source)) {
        const desc = Object.getOwnPropertyDescriptor(source, key);
        if (!desc.enumerable)
            continue;
        if (desc.get)
            deferProp(target, key, () => source[key]);
        else
            putProp(target, key, desc.value);
    }
}
function mergeDefs(...defs) {
    const mergedDescriptors = {};
    for (const def of defs) {
        const descriptors = Object.getOwnPropertyDescriptors(def);
        Object.assign(mergedDescriptors, descriptors);
    }
    return Object.defineProperties({}, mergedDescriptors);
}
function cloneDef(schema) {
    return mergeDefs(schema._zod.def);
}
function getElementAtPath(obj, path) {
    if (!path)
        return obj;
    return path.reduce((acc, key) => acc?.[key], obj);
}
function promiseAllObject(promisesObj) {
    const keys = Object.keys(promisesObj);
    const promises = keys.map((key) => promisesObj[key]);
    return Promise.all(promises).then((results) => {
        const resolvedObj = {};
        for (let i = 0; i < keys.length; i++) {
            resolvedObj[keys[i]] = results[i];
        }
        return resolvedObj;
    });
}
function randomString(length = 10) {
    const chars = "abcdefghijklmnopqrstuvwxyz";
    let str = "";
    for (let i = 0; i < length; i++) {
        str += chars[Math.floor(Math.random() * chars.length)];
    }
    return str;
}
function esc(str) {
    return JSON.stringify(str);
}
function slugify(input) {
    return input
        .toLowerCase()
        .trim()
        .replace(/[^\w\s-]/g, "")
        .replace(/[\s_-]+/g, "-")
        .replace(/^-+|-+$/g, "");
}
const captureStackTrace = ("captureStackTrace" in Error ? Error.captureStackTrace : (..._args) => { });
function util_isObject(data) {
    return typeof data === "object" && data !== null && !Array.isArray(data);
}
const util_allowsEval = /* @__PURE__*/ cached(() => {
    // Skip the probe under `jitless`: strict CSPs report the caught `new Function` as a `securitypolicyviolation` even though the throw is swallowed.
    if (globalConfig.jitless) {
        return false;
    }
    // @ts-ignore
    if (typeof navigator !== "undefined" && navigator?.userAgent?.includes("Cloudflare")) {
        return false;
    }
    try {
        const F = Function;
        new F("");
        return true;
    }
    catch (_) {
        return false;
    }
});
function isPlainObject(o) {
    if (util_isObject(o) === false)
        return false;
    // modified constructor
    const ctor = o.constructor;
    if (ctor === undefined)
        return true;
    if (typeof ctor !== "function")
        return true;
    // modified prototype
    const prot = ctor.prototype;
    if (util_isObject(prot) === false)
        return false;
    // ctor doesn't have static `isPrototypeOf`
    if (Object.prototype.hasOwnProperty.call(prot, "isPrototypeOf") === false) {
        return false;
    }
    return true;
}
function shallowClone(o) {
    if (isPlainObject(o))
        return { ...o };
    if (Array.isArray(o))
        return [...o];
    if (o instanceof Map)
        return new Map(o);
    if (o instanceof Set)
        return new Set(o);
    return o;
}
function numKeys(data) {
    let keyCount = 0;
    for (const key in data) {
        if (Object.prototype.hasOwnProperty.call(data, key)) {
            keyCount++;
        }
    }
    return keyCount;
}
const getParsedType = (data) => {
    const t = typeof data;
    switch (t) {
        case "undefined":
            return "undefined";
        case "string":
            return "string";
        case "number":
            return Number.isNaN(data) ? "nan" : "number";
        case "boolean":
            return "boolean";
        case "function":
            return "function";
        case "bigint":
            return "bigint";
        case "symbol":
            return "symbol";
        case "object":
            if (Array.isArray(data)) {
                return "array";
            }
            if (data === null) {
                return "null";
            }
            if (data.then && typeof data.then === "function" && data.catch && typeof data.catch === "function") {
                return "promise";
            }
            if (typeof Map !== "undefined" && data instanceof Map) {
                return "map";
            }
            if (typeof Set !== "undefined" && data instanceof Set) {
                return "set";
            }
            if (typeof Date !== "undefined" && data instanceof Date) {
                return "date";
            }
            // @ts-ignore
            if (typeof File !== "undefined" && data instanceof File) {
                return "file";
            }
            return "object";
        default:
            throw new Error(`Unknown data type: ${t}`);
    }
};
const propertyKeyTypes = /* @__PURE__*/ new Set(["string", "number", "symbol"]);
const primitiveTypes = /* @__PURE__*/ new Set([
    "string",
    "number",
    "bigint",
    "boolean",
    "symbol",
    "undefined",
]);
function escapeRegex(str) {
    return str.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
// zod-specific utils
function clone(inst, def, params) {
    const cl = new inst._zod.constr(def ?? inst._zod.def);
    if (!def || params?.parent)
        cl._zod.parent = inst;
    return cl;
}
function normalizeParams(_params) {
    const params = _params;
    if (!params)
        return {};
    if (typeof params === "string")
        return { error: () => params };
    if (params?.message !== undefined) {
        if (params?.error !== undefined)
            throw new Error("Cannot specify both `message` and `error` params");
        params.error = params.message;
    }
    delete params.message;
    if (typeof params.error === "string")
        return { ...params, error: () => params.error };
    return params;
}
function createTransparentProxy(getter) {
    let target;
    return new Proxy({}, {
        get(_, prop, receiver) {
            target ?? (target = getter());
            return Reflect.get(target, prop, receiver);
        },
        set(_, prop, value, receiver) {
            target ?? (target = getter());
            return Reflect.set(target, prop, value, receiver);
        },
        has(_, prop) {
            target ?? (target = getter());
            return Reflect.has(target, prop);
        },
        deleteProperty(_, prop) {
            target ?? (target = getter());
            return Reflect.deleteProperty(target, prop);
        },
        ownKeys(_) {
            target ?? (target = getter());
            return Reflect.ownKeys(target);
        },
        getOwnPropertyDescriptor(_, prop) {
            target ?? (target = getter());
            return Reflect.getOwnPropertyDescriptor(target, prop);
        },
        defineProperty(_, prop, descriptor) {
            target ?? (target = getter());
            return Reflect.defineProperty(target, prop, descriptor);
        },
    });
}
function stringifyPrimitive(value) {
    if (typeof value === "bigint")
        return value.toString() + "n";
    if (typeof value === "string")
        return `"${value}"`;
    return `${value}`;
}
function optionalKeys(shape) {
    return Object.keys(shape).filter((k) => {
        return shape[k]._zod.optin !== undefined && shape[k]._zod.optout === "optional";
    });
}
// Wrapped in a `@__PURE__` IIFE: esbuild never tree-shakes a top-level initializer that contains a member access on `Number`, so the bare object literal survived into every bundle.
const NUMBER_FORMAT_RANGES = /*@__PURE__*/ (() => ({
    safeint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    int32: [-2147483648, 2147483647],
    uint32: [0, 4294967295],
    float32: [-3.4028234663852886e38, 3.4028234663852886e38],
    float64: [-Number.MAX_VALUE, Number.MAX_VALUE],
}))();
const BIGINT_FORMAT_RANGES = {
    int64: [/* @__PURE__*/ BigInt("-9223372036854775808"), /* @__PURE__*/ BigInt("9223372036854775807")],
    uint64: [/* @__PURE__*/ BigInt(0), /* @__PURE__*/ BigInt("18446744073709551615")],
};
function pick(schema, mask) {
    const currDef = schema._zod.def;
    const checks = currDef.checks;
    const hasChecks = checks && checks.length > 0;
    if (hasChecks) {
        throw new Error(".pick() cannot be used on object schemas containing refinements");
    }
    const newShape = {};
    mirrorShape(newShape, schema, maskedKeys(schema, mask));
    return clone(schema, mergeDefs(currDef, { shape: newShape, checks: [] }));
}
// the mask keys that select something, checked against the source's shape without resolving it
function maskedKeys(schema, mask) {
    const raw = sourceShape(schema);
    const keys = [];
    // `for...in` skips symbols, so a symbol in the mask would select nothing
    for (const key of Reflect.ownKeys(mask)) {
        if (!Object.getOwnPropertyDescriptor(raw, key)?.enumerable) {
            throw new Error(`Unrecognized key: "${String(key)}"`);
        }
        if (mask[key])
            keys.push(key);
    }
    return keys;
}
function omit(schema, mask) {
    const currDef = schema._zod.def;
    const checks = currDef.checks;
    const hasChecks = checks && checks.length > 0;
    if (hasChecks) {
        throw new Error(".omit() cannot be used on object schemas containing refinements");
    }
    const omitted = new Set(maskedKeys(schema, mask));
    const newShape = {};
    mirrorShape(newShape, schema, Reflect.ownKeys(sourceShape(schema)).filter((key) => !omitted.has(key)));
    return clone(schema, mergeDefs(currDef, { shape: newShape, checks: [] }));
}
function extend(schema, shape) {
    if (!isPlainObject(shape)) {
        throw new Error("Invalid input to extend: expected a plain object");
    }
    const checks = schema._zod.def.checks;
    const hasChecks = checks && checks.length > 0;
    if (hasChecks) {
        // Only throw if new shape overlaps with existing shape. Use getOwnPropertyDescriptor to check key existence without accessing values
        const existingShape = sourceShape(schema);
        for (const key of Reflect.ownKeys(shape)) {
            if (Object.getOwnPropertyDescriptor(existingShape, key) !== undefined) {
                throw new Error("Cannot overwrite keys on object schemas containing refinements. Use `.safeExtend()` instead.");
            }
        }
    }
    return clone(schema, mergeDefs(schema._zod.def, { shape: extended(schema, shape) }));
}
// the source's keys, then the caller's overlaid on top
function extended(schema, shape) {
    const newShape = {};
    mirrorShape(newShape, schema, Reflect.ownKeys(sourceShape(schema)));
    mirrorProps(newShape, shape);
    return newShape;
}
function safeExtend(schema, shape) {
    if (!isPlainObject(shape)) {
        throw new Error("Invalid input to safeExtend: expected a plain object");
    }
    return clone(schema, mergeDefs(schema._zod.def, { shape: extended(schema, shape) }));
}
function merge(a, b) {
    if (!b?._zod?.def) {
        throw new Error("Invalid input to merge: expected an object schema. To merge a plain shape, use `.extend()`.");
    }
    if (a._zod.def.checks?.length) {
        throw new Error(".merge() cannot be used on object schemas containing refinements. Use .safeExtend() instead.");
    }
    const newShape = {};
    mirrorShape(newShape, a, Reflect.ownKeys(sourceShape(a)));
    mirrorShape(newShape, b, Reflect.ownKeys(sourceShape(b)));
    const def = mergeDefs(a._zod.def, {
        shape: newShape,
        get catchall() {
            return b._zod.def.catchall;
        },
        checks: b._zod.def.checks ?? [],
    });
    return clone(a, def);
}
function partial(Class, schema, mask, name = "partial") {
    const currDef = schema._zod.def;
    const checks = currDef.checks;
    const hasChecks = checks && checks.length > 0;
    if (hasChecks) {
        throw new Error(`.${name}() cannot be used on object schemas containing refinements`);
    }
    const selected = mask ? new Set(maskedKeys(schema, mask)) : undefined;
    const newShape = {};
    mirrorShape(newShape, schema, Reflect.ownKeys(sourceShape(schema)), Class &&
        ((value, key) => (selected && !selected.has(key) ? value : new Class({ type: "optional", innerType: value }))));
    return clone(schema, mergeDefs(schema._zod.def, { shape: newShape, checks: [] }));
}
function required(Class, schema, mask) {
    const selected = mask ? new Set(maskedKeys(schema, mask)) : undefined;
    const newShape = {};
    mirrorShape(newShape, schema, Reflect.ownKeys(sourceShape(schema)), (value, key) => 
    // overwrite with non-optional
    selected && !selected.has(key) ? value : new Class({ type: "nonoptional", innerType: value }));
    return clone(schema, mergeDefs(schema._zod.def, { shape: newShape }));
}
// invalid_type | too_big | too_small | invalid_format | not_multiple_of | unrecognized_keys | invalid_union | invalid_key | invalid_element | invalid_value | custom
function aborted(x, startIndex = 0) {
    if (x.aborted === true)
        return true;
    for (let i = startIndex; i < x.issues.length; i++) {
        if (x.issues[i]?.continue !== true) {
            return true;
        }
    }
    return false;
}
// Checks for explicit abort (continue === false), as opposed to implicit abort (continue === undefined). Used to respect `abort: true` in .refine() even for checks that have a `when` function.
function explicitlyAborted(x, startIndex = 0) {
    if (x.aborted === true)
        return true;
    for (let i = startIndex; i < x.issues.length; i++) {
        if (x.issues[i]?.continue === false) {
            return true;
        }
    }
    return false;
}
function prefixIssues(path, issues) {
    return issues.map((iss) => {
        var _a;
        (_a = iss).path ?? (_a.path = []);
        iss.path.unshift(path);
        return iss;
    });
}
function unwrapMessage(message) {
    return typeof message === "string" ? message : message?.message;
}
/* A check holds no link back to the schema it is attached to — the same check instance is shared by every clone of that schema — so the owner is stamped onto the issues a check just raised, at the only point where both are in scope. Runs on the failure path only; `start` is the issue count from before the check ran. */
/** The leading size checks of `defChecks` that set an upper bound, each paired with it. */
function sizeCaps(defChecks) {
    const caps = [];
    for (const ch of defChecks ?? []) {
        const d = ch._zod.def;
        // a later check may rewrite the value
        if (!/_(length|size)$|_equals$/.test(d.check))
            break;
        const max = d.maximum ?? d.length ?? d.size;
        if (max >= 0)
            caps.push([max, ch]);
    }
    return caps;
}
function attachSchema(issues, start, inst) {
    var _a;
    for (let i = start; i < issues.length; i++) {
        (_a = issues[i]).schema ?? (_a.schema = inst);
    }
}
function finalizeIssue(iss, ctx, config) {
    var _a;
    // A schema that raised an issue itself owns it outright, and outranks any stamp an enclosing check left in `attachSchema`. String formats and z.custom() are schema and check at once, so when they act as a check they defer to that stamp instead.
    const traits = iss.inst?._zod?.traits;
    if (traits?.has("$ZodType")) {
        if (traits.has("$ZodCheck"))
            (_a = iss).schema ?? (_a.schema = iss.inst);
        else
            iss.schema = iss.inst;
    }
    // Decreasing specificity, first map to return a message wins. `inst` is whatever raised the issue, so a check's own map outranks the owning schema's.
    const schemaError = iss.schema !== iss.inst ? iss.schema?._zod.def?.error : undefined;
    const message = iss.message
        ? iss.message
        : (unwrapMessage(iss.inst?._zod.def?.error?.(iss)) ??
            unwrapMessage(schemaError?.(iss)) ??
            unwrapMessage(ctx?.error?.(iss)) ??
            unwrapMessage(config.customError?.(iss)) ??
            unwrapMessage(config.localeError?.(iss)) ??
            "Invalid input");
    // an explicit own-key copy beats object rest with excluded keys, which v8 routes through a generic runtime call; Object.keys rather than for-in so an issue pushed with a prototype does not leak inherited keys, and an own __proto__ key is dropped rather than assigned through the setter
    const full = {};
    for (const k of Object.keys(iss)) {
        if (k === "inst" || k === "schema" || k === "continue" || k === "input" || k === "__proto__")
            continue;
        full[k] = iss[k];
    }
    full.path ?? (full.path = []);
    full.message = message;
    if (ctx?.reportInput) {
        full.input = iss.input;
    }
    return full;
}
function getSizableOrigin(input) {
    if (input instanceof Set)
        return "set";
    if (input instanceof Map)
        return "map";
    // @ts-ignore
    if (input instanceof File)
        return "file";
    return "unknown";
}
const highSurrogate = /[\uD800-\uDBFF]/;
// Code points in `str`: a surrogate pair counts once, a lone surrogate as itself. Hand-rolled because the string iterator allocates and runs ~250x slower on this path; the regex probe exits ~50x quicker for a string with no astral characters.
function codePointLength(str) {
    const units = str.length;
    if (!highSurrogate.test(str))
        return units;
    let count = units;
    for (let i = 0; i < units - 1; i++) {
        if ((str.charCodeAt(i) & 0xfc00) === 0xd800 && (str.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
            count--;
            i++;
        }
    }
    return count;
}
function getLengthableOrigin(input) {
    if (Array.isArray(input))
        return "array";
    if (typeof input === "string")
        return "string";
    return "unknown";
}
function parsedType(data) {
    const t = typeof data;
    switch (t) {
        case "number": {
            return Number.isNaN(data) ? "nan" : "number";
        }
        case "object": {
            if (data === null) {
                return "null";
            }
            if (Array.isArray(data)) {
                return "array";
            }
            const obj = data;
            if (obj && Object.getPrototypeOf(obj) !== Object.prototype && "constructor" in obj && obj.constructor) {
                return obj.constructor.name;
            }
        }
    }
    return t;
}
function util_issue(...args) {
    const [iss, input, inst] = args;
    if (typeof iss === "string") {
        return {
            message: iss,
            code: "custom",
            input,
            inst,
        };
    }
    return { ...iss };
}
function cleanEnum(obj) {
    return Object.entries(obj)
        .filter(([k, _]) => {
        // return true if NaN, meaning it's not a number, thus a string key
        return Number.isNaN(Number.parseInt(k, 10));
    })
        .map((el) => el[1]);
}
// Codec utility functions
function base64ToUint8Array(base64) {
    const binaryString = atob(base64);
    const bytes = new Uint8Array(binaryString.length);
    for (let i = 0; i < binaryString.length; i++) {
        bytes[i] = binaryString.charCodeAt(i);
    }
    return bytes;
}
function uint8ArrayToBase64(bytes) {
    let binaryString = "";
    for (let i = 0; i < bytes.length; i++) {
        binaryString += String.fromCharCode(bytes[i]);
    }
    return btoa(binaryString);
}
function base64urlToUint8Array(base64url) {
    const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    const padding = "=".repeat((4 - (base64.length % 4)) % 4);
    return base64ToUint8Array(base64 + padding);
}
function uint8ArrayToBase64url(bytes) {
    return uint8ArrayToBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=/g, "");
}
function hexToUint8Array(hex) {
    const cleanHex = hex.replace(/^0x/, "");
    if (cleanHex.length % 2 !== 0) {
        throw new Error("Invalid hex string length");
    }
    const bytes = new Uint8Array(cleanHex.length / 2);
    for (let i = 0; i < cleanHex.length; i += 2) {
        bytes[i / 2] = Number.parseInt(cleanHex.slice(i, i + 2), 16);
    }
    return bytes;
}
function uint8ArrayToHex(bytes) {
    return Array.from(bytes)
        .map((b) => b.toString(16).padStart(2, "0"))
        .join("");
}
// instanceof
class Class {
    constructor(..._args) { }
}
//////////    PROTOTYPE INSTALLERS     //////////
//
// Members live on the prototype and materialize per instance on first read, which keeps own-property count under the step where V8 stops using inline slots. Changing anything here means re-measuring runtime, memory and bundle size together — see "The three axes" in AGENTS.md.
/**
 * Installs a trait's members on its prototype. Each value builds that member for the instance on first read; the built value shadows the accessor as an own property, so a detached `const { parse } = schema` keeps working.
 *
 * Call this from a `proto` initializer, which runs once per prototype — never per instance.
 */
function members(proto, table) {
    for (const key in table) {
        const desc = Object.getOwnPropertyDescriptor(table, key);
        // a getter installs as written, so it stays live: `description` reads through to the registry on every access. not enumerable: an object literal's is, and a prototype member never was
        if (desc.get)
            Object.defineProperty(proto, key, { ...desc, enumerable: false });
        // a method materializes bound on first read, which is what keeps a detached member working: `const opt = schema.optional; opt()`
        else
            defineBound(proto, key, desc.value);
    }
}
/** Shadows a prototype member with an own value, so a getter that builds from the instance runs once. */
function own(inst, key, value, enumerable = true) {
    Object.defineProperty(inst, key, { configurable: true, writable: true, enumerable, value });
    return value;
}
/** Like {@link own}, for a member that was never an own data property and has to stay out of `Object.keys`. */
function hide(inst, key, value) {
    return own(inst, key, value, false);
}
/** Adds members a table derives from the instance: each builds on first read and shadows as own data, and assignment shadows the same way, as when these were own properties. */
function derived(computes, table) {
    for (const key in computes) {
        const compute = computes[key];
        // an object literal's accessor is configurable and enumerable, and `members` copies the descriptor as written
        Object.defineProperty(table, key, {
            configurable: true,
            enumerable: true,
            get() {
                return own(this, key, compute(this));
            },
            set(value) {
                own(this, key, value);
            },
        });
    }
    return table;
}
function defineBound(proto, key, fn) {
    Object.defineProperty(proto, key, {
        configurable: true,
        get() {
            // vitest's spyOn calls a prototype getter bare to find the function it wraps, so a nullish receiver answers the raw method
            return this == null ? fn : own(this, key, fn.bind(this));
        },
        set(value) {
            own(this, key, value);
        },
    });
}
/** Returns the prototype to install on, or `undefined` if this group is already installed on it. */
function claim(inst, sentinel) {
    const proto = Object.getPrototypeOf(inst);
    // Runs on every construction, so `in` rather than the costlier `hasOwnProperty.call`. Sentinels are keys the group itself defines.
    return sentinel in proto ? undefined : proto;
}
// The internals whose init chain is installing. A second call for the same one is a derived constructor overriding its base, so it must not construct another schema in between or the override is dropped.
let installing;
// Set while a getter is running, so a value that resolved through a recursion break is not memoized. One shared descriptor shadows the key for the duration, which costs no per-key allocation.
let broke = false;
const breaker = {
    configurable: true,
    get() {
        broke = true;
        return undefined;
    },
};
/**
 * Installs a lazily-derived internal on the `_zod` prototype of `inst`'s
 * constructor, computed from the internals object itself and cached there on
 * first read. One accessor per constructor rather than one per instance.
 */
function defineLazyInternal(inst, key, compute) {
    const proto = Object.getPrototypeOf(inst._zod);
    if (key in proto && installing !== inst._zod) {
        // A repeat construction: everything is installed already. Cleared here so the reference is not held past the first construction of every type.
        installing = undefined;
        return;
    }
    installing = inst._zod;
    Object.defineProperty(proto, key, {
        configurable: true,
        get() {
            // Shadowed before computing so a re-entrant read from a recursive schema resolves to undefined instead of running the getter again.
            Object.defineProperty(this, key, breaker);
            const outer = broke;
            broke = false;
            try {
                const value = compute(this);
                // A result that resolved through a recursion break is recomputed once the graph is complete; everything else memoizes, undefined included.
                if (broke)
                    delete this[key];
                else
                    Object.defineProperty(this, key, { configurable: true, writable: true, value });
                broke = broke || outer;
                return value;
            }
            catch (err) {
                // A compute that threw memoizes nothing, so a later read runs it again and fails the same way. The shadow goes with it, since leaving it installed would answer undefined for every later read.
                delete this[key];
                broke = broke || outer;
                throw err;
            }
        },
        set(value) {
            Object.defineProperty(this, key, { configurable: true, writable: true, value });
        },
    });
}
/**
 * Installs `key` on `inst`'s prototype, computed by `make` on first read and cached there as an own
 * data property. One accessor per constructor rather than one per instance, because an own accessor
 * puts every instance after the first into v8 dictionary mode. The key doubles as the sentinel.
 */
function installLazyProp(inst, key, make, enumerable) {
    const proto = claim(inst, key);
    if (!proto)
        return;
    Object.defineProperty(proto, key, {
        configurable: true,
        get() {
            // Shadowed before computing, so a re-entrant read from a self-referential shape resolves to undefined instead of running the getter again. A data property rather than an accessor: an own accessor is the dictionary-mode transition this exists to avoid.
            const desc = { configurable: true, writable: true, enumerable, value: undefined };
            Object.defineProperty(this, key, desc);
            // a compute that throws leaves the shadow behind, so later reads answer undefined instead of re-throwing; `defineLazy` did the same, and `defineLazyInternal`'s delete-on-catch would cost bytes in every bundle for a case only a throwing user getter reaches
            desc.value = make(this);
            Object.defineProperty(this, key, desc);
            return desc.value;
        },
        set(value) {
            Object.defineProperty(this, key, { configurable: true, writable: true, enumerable, value });
        },
    });
}
/** Marks the thunk `_catch` synthesises for a constant catch value. `Function.length` cannot tell that thunk from a user callback — rest and defaulted parameters both report arity 0 — and a user callback reads `ctx.error`, whose issues only finalize correctly against the caller's per-parse error map. Provenance can say what arity cannot. A plain string key rather than `Symbol.for`, whose call at module scope no bundler can prove pure — the same shape that anchored `urlCanParse` into every build. */
const CONSTANT_CATCH = "~constantCatch";
/** Wraps a constant catch value in a thunk tagged with {@link CONSTANT_CATCH}. */
function constantCatch(value) {
    const fn = () => value;
    fn[CONSTANT_CATCH] = true;
    return fn;
}

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/core.js
var _a;

/** A special constant with type `never` */
const NEVER = /*@__PURE__*/ Object.freeze({
    status: "aborted",
});
/* Shared descriptor for installing `_zod`; defineProperty reads it
 * synchronously, so reusing one object avoids a per-instance allocation. */
const _zodDesc = { value: undefined, enumerable: false };
// null where suppressing the capture would be unrecoverable: `parse()` puts the frames back with `captureStackTrace`, so without it the throw would lose its stack. also latched to null once `stackTraceLimit` proves unassignable, which a realm can do at any point by hardening Error
let _E = "captureStackTrace" in Error ? Error : null;
// v8 captures a stack trace inside the Error constructor, which dominates a failed parse; costs only the frames, and parse() restores those. the constructor must RUN: Object.create is cheaper and passes instanceof, but Error.isError and util.types.isNativeError check an internal slot
function newError(Definition) {
    const E = _E;
    if (E) {
        const saved = E.stackTraceLimit;
        if (typeof saved === "number") {
            try {
                E.stackTraceLimit = 0;
            }
            catch {
                _E = null;
                return new Definition();
            }
            try {
                return new Definition();
            }
            finally {
                E.stackTraceLimit = saved;
            }
        }
    }
    return new Definition();
}
function $constructor(name, initializer, 
/** This trait's members, installed once on every prototype that composes it. They cannot be declared in the initializer above: that runs per instance, and the prototype is shared. */
proto, params) {
    // Prototype for this constructor's `_zod` internals. Lazily-derived fields (`values`, `pattern`, `optin`, …) install here once rather than as an accessor on every instance.
    const zodProto = {};
    // Assigning the fields in the constructor body is what gives instances in-object slots; building the object literally and reparenting it costs a second allocation and a generic property copy.
    function Internals(def) {
        this.def = def;
        this.constr = _;
        this.traits = new Set();
    }
    Internals.prototype = zodProto;
    const protoMembers = proto;
    // One trait's members land on every prototype whose chain composes it, so the answer is per prototype rather than per trait.
    const initialized = protoMembers && new WeakSet();
    function init(inst, def) {
        if (!inst._zod) {
            _zodDesc.value = new Internals(def);
            try {
                Object.defineProperty(inst, "_zod", _zodDesc);
            }
            finally {
                // Cleared even on throw, so the shared descriptor never leaks one instance's internals into the next.
                _zodDesc.value = undefined;
            }
        }
        else if (inst._zod.traits.has(name)) {
            return;
        }
        inst._zod.traits.add(name);
        initializer(inst, def);
        if (initialized) {
            // `super(def)` from a user subclass gives `this` a prototype the subclass owns, and installing there would overwrite whatever the subclass declared. `constr` built the instance, so its prototype is the one below the subclass's that should carry the members. A receiver whose chain never reaches that prototype installs on its own, which for a plain object handed straight to `init` means `Object.prototype` — unchanged from before.
            const own = Object.getPrototypeOf(inst);
            const ctorProto = inst._zod.constr.prototype;
            let up = own;
            while (up && up !== ctorProto)
                up = Object.getPrototypeOf(up);
            const target = up ?? own;
            if (!initialized.has(target)) {
                initialized.add(target);
                members(target, protoMembers);
            }
        }
        // support prototype modifications; for-in avoids the array allocation of Object.keys on the (usually empty) prototype
        const proto = _.prototype;
        for (const k in proto) {
            if (!Object.prototype.hasOwnProperty.call(proto, k))
                continue;
            if (!(k in inst)) {
                inst[k] = proto[k].bind(inst);
            }
        }
    }
    // doesn't work if Parent has a constructor with arguments
    const Parent = params?.Parent ?? Object;
    class Definition extends Parent {
    }
    Object.defineProperty(Definition, "name", { value: name });
    function _(def) {
        const inst = params?.Parent ? newError(Definition) : this;
        init(inst, def);
        const deferred = inst._zod.deferred;
        if (deferred) {
            for (const fn of deferred) {
                fn();
            }
            // Released: initializers run once, and the list would otherwise be retained for the schema's lifetime.
            inst._zod.deferred = undefined;
        }
        // Global post-processor hook. Internal: installed by `import "zod/compile"` to enable AOT compilation for every constructed schema. Runs last, once the instance is fully built, because it hands the instance to compile(). The post-processor is expected to be reentrancy-guarded by its own implementation.
        const pp = globalThis.__zod_globalConfig?.postProcessor;
        if (pp)
            pp(inst);
        return inst;
    }
    Object.defineProperty(_, "init", { value: init });
    Object.defineProperty(_, Symbol.hasInstance, {
        value: (inst) => {
            if (params?.Parent && inst instanceof params.Parent)
                return true;
            return inst?._zod?.traits?.has(name);
        },
    });
    Object.defineProperty(_, "name", { value: name });
    return _;
}
//////////////////////////////   UTILITIES   ///////////////////////////////////////
const $brand = /*@__PURE__*/ (/* unused pure expression or super */ null && (Symbol("zod_brand")));
class $ZodAsyncError extends Error {
    constructor() {
        super(`Encountered Promise during synchronous parse. Use .parseAsync() instead.`);
    }
}
class $ZodEncodeError extends Error {
    constructor(name) {
        super(`Encountered unidirectional transform during encode: ${name}`);
        this.name = "ZodEncodeError";
    }
}
(_a = globalThis).__zod_globalConfig ?? (_a.__zod_globalConfig = {});
const globalConfig = globalThis.__zod_globalConfig;
function config(newConfig) {
    if (newConfig)
        Object.assign(globalConfig, newConfig);
    return globalConfig;
}

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/memoizer.js

class $ZodCyclicError extends Error {
    constructor() {
        super(`Cannot parse a reference cycle that closes through a transform`);
        this.name = "ZodCyclicError";
    }
}
/** Keyed off the context object every schema in one parse call already shares. */
const STATE = "~memo";
const NO_ISSUES = [];
// a value a cycle can close through
function isRef(value) {
    return value !== null && typeof value === "object";
}
// Receivers prefix paths in place, so the cache and every hand-out need their own copies.
function cloneIssues(issues) {
    return issues.map((iss) => (iss.path ? { ...iss, path: iss.path.slice() } : { ...iss }));
}
const recursive = /*@__PURE__*/ new WeakMap();
/** What the walk established, in order of certainty: ordered so the strongest answer among children wins. */
const NONE = 0;
const ASSUMED = 1;
const PROVEN = 2;
/** Whether this schema's subtree contains a cycle, so one parse can re-enter it. */
function isRecursive(inst, stack, resolve) {
    const cached = recursive.get(inst);
    if (cached !== undefined)
        return cached ? PROVEN : NONE;
    // Relative to the walk in progress, so not cached.
    if (stack.has(inst))
        return PROVEN;
    stack.add(inst);
    let result = NONE;
    const check = (child) => {
        if (result !== PROVEN && child?._zod) {
            const answer = isRecursive(child, stack, resolve);
            if (answer > result)
                result = answer;
        }
    };
    // `Reflect.ownKeys` rather than `Object.keys`, so a cycle through a declared symbol key is still seen
    const shape = (sh, spread) => {
        let answer = NONE;
        for (const key of Reflect.ownKeys(sh)) {
            const desc = Object.getOwnPropertyDescriptor(sh, key);
            // an object resolves its shape by spread, so a key it does not enumerate is never parsed; `z.properties` reads every own key and so keeps them all
            if (spread && !desc.enumerable)
                continue;
            // resolving runs user code, and a factory mints a fresh subtree per read, so an edge the walk can't follow counts as a cycle
            const child = desc.get ? ASSUMED : desc.value?._zod ? isRecursive(desc.value, stack, resolve) : NONE;
            if (child > answer)
                answer = child;
        }
        return answer;
    };
    const merge = (answer) => {
        if (answer > result)
            result = answer;
    };
    const def = inst._zod.def;
    const kind = def.type;
    switch (kind) {
        case "object": {
            const raw = rawShape(def);
            // a def with no raw shape answers `shape` from an accessor of its own, and running that can mint a whole fresh subtree
            merge(raw ? shape(raw, true) : ASSUMED);
            check(def.catchall);
            break;
        }
        case "array":
            check(def.element);
            break;
        case "tuple":
            for (const el of def.items)
                check(el);
            check(def.rest);
            break;
        case "record":
        case "map":
            check(def.keyType);
            check(def.valueType);
            break;
        case "set":
            check(def.valueType);
            break;
        case "union":
            for (const el of def.options)
                check(el);
            break;
        case "intersection":
            check(def.left);
            check(def.right);
            break;
        case "optional":
        case "nullable":
        case "default":
        case "prefault":
        case "catch":
        case "readonly":
        case "nonoptional":
        case "promise":
        case "success":
            check(def.innerType);
            break;
        case "pipe":
            check(def.in);
            check(def.out);
            break;
        case "function":
            check(def.input);
            check(def.output);
            break;
        // `$ZodLazy` caches its inner on the def, so a resolved edge is followed exactly
        case "lazy": {
            const inner = def._cachedInner ?? (resolve ? inst._zod.innerType : undefined);
            // walked with resolution off: one hop sees past the deferral, and a lazy that yields only another unresolved lazy is generative, so it stops there
            merge(inner ? isRecursive(inner, stack, false) : ASSUMED);
            break;
        }
        // a leaf by choice: `parts` are regex fragments, not data positions
        case "template_literal":
        // leaves
        case "string":
        case "number":
        case "int":
        case "boolean":
        case "bigint":
        case "symbol":
        case "undefined":
        case "null":
        case "void":
        case "never":
        case "any":
        case "unknown":
        case "date":
        case "nan":
        case "enum":
        case "literal":
        case "file":
        case "transform":
        case "custom":
            break;
        default: {
            // a new built-in kind becomes a compile error here
            kind;
            // a user-defined kind can still hold children, and only its author knows where, so fall back to scanning the def — skipping accessors, since reading one can run user code
            for (const key in def) {
                const desc = Object.getOwnPropertyDescriptor(def, key);
                if (!desc || desc.get)
                    continue;
                const value = desc.value;
                if (!value || typeof value !== "object")
                    continue;
                if (value._zod)
                    check(value);
                else if (Array.isArray(value))
                    for (const el of value)
                        check(el);
            }
        }
    }
    stack.delete(inst);
    return settle(inst, result);
}
/** An assumed answer must not outlive the resolution that settles it, so only a certain one is cached. */
function settle(inst, answer) {
    if (answer !== ASSUMED)
        recursive.set(inst, answer === PROVEN);
    return answer;
}
/**
 * Whether one parse can re-enter this schema, i.e. its subtree contains a cycle.
 * Exported for `z.compile`, which refuses to compile such a schema: cycle
 * breaking is driven from here off state keyed on the parse context, and a
 * generated fast path has no context to key on.
 */
function isRecursiveSchema(inst) {
    // z.compile never parses, so nothing would ever resolve a lazy for it; it runs once and already treats a throw here as recursive
    return isRecursive(inst, new Set(), true) !== NONE;
}
function bucketFor(state, inst) {
    let bucket = state.buckets.get(inst);
    if (!bucket) {
        bucket = new WeakMap();
        state.buckets.set(inst, bucket);
    }
    return bucket;
}
// Set immediately before delegating to core and cleared immediately after, so `alloc` registers only for a visit this module is driving.
let handoff;
// Allocated but unfinished entries. `alloc` and the matching pop both happen in the synchronous part of a parse, so they nest even when children are async, and one stack serves every schema.
const memoizer_open = [];
const memo = {
    alloc(_inst, payload, empty) {
        const bucket = handoff;
        if (!bucket)
            return empty;
        handoff = undefined;
        const entry = { value: empty, issues: null };
        bucket.set(payload.value, entry);
        memoizer_open.push(entry);
        return empty;
    },
    guard(inst) {
        var _a;
        (_a = inst._zod).deferred ?? (_a.deferred = []);
        inst._zod.deferred.push(() => {
            const base = inst._zod.parse;
            const wrapped = (payload, ctx) => {
                // The value is a placeholder a back-edge is still waiting on, so the cycle closes through this transform. Its output can't exist in time to bind.
                if (ctx.direction !== "backward" && isBackEdge(ctx, payload.value))
                    throw new $ZodCyclicError();
                return base(payload, ctx);
            };
            inst._zod.parse = wrapped;
            if (inst._zod.run === base)
                inst._zod.run = wrapped;
        });
    },
    attach(inst) {
        var _a;
        let isRecursiveInst;
        let rechecked = false;
        // a recursive schema is re-entered many times per parse and its bucket never changes
        let lastCtx;
        let lastBucket;
        // Wraps `parse` in a deferred so it sees the container's final parse. Core's own deferred copies `parse` into `run` when there are no checks, and it ran first, so `run` is patched to match; with checks, `run` reads `parse` dynamically.
        (_a = inst._zod).deferred ?? (_a.deferred = []);
        inst._zod.deferred.push(() => {
            const base = inst._zod.parse;
            const wrapped = (payload, ctx) => {
                if (isRecursiveInst === undefined) {
                    const walked = isRecursive(inst, new Set(), false);
                    if (walked === NONE) {
                        // Nothing here can ever fire, so take it back out.
                        inst._zod.parse = base;
                        if (inst._zod.run === wrapped)
                            inst._zod.run = base;
                        return base(payload, ctx);
                    }
                    // this parse resolves the deferred edges on its own path, so ask once more before latching
                    if (walked === PROVEN || rechecked)
                        isRecursiveInst = true;
                    else
                        rechecked = true;
                }
                const input = payload.value;
                if (!isRef(input))
                    return base(payload, ctx);
                let state = ctx[STATE];
                if (!state) {
                    state = { buckets: new WeakMap(), backEdges: undefined };
                    ctx[STATE] = state;
                }
                let bucket;
                if (lastCtx === ctx) {
                    bucket = lastBucket;
                }
                else {
                    bucket = bucketFor(state, inst);
                    lastCtx = ctx;
                    lastBucket = bucket;
                }
                const hit = bucket.get(input);
                if (hit) {
                    payload.value = hit.value;
                    if (hit.issues) {
                        if (hit.issues.length)
                            payload.issues.push(...cloneIssues(hit.issues));
                    }
                    else {
                        // Still being parsed: its own checks cover it, so skip them here.
                        payload.memo = true;
                        state.backEdges ?? (state.backEdges = new WeakSet());
                        state.backEdges.add(hit.value);
                    }
                    return payload;
                }
                handoff = bucket;
                const depth = memoizer_open.length;
                const result = base(payload, ctx);
                handoff = undefined;
                // A container that rejected its input outright allocated nothing.
                const entry = memoizer_open.length > depth ? memoizer_open.pop() : undefined;
                // Both paths written out so the sync one allocates no closure. It runs once per node, and capturing here cost more than everything else combined.
                if (result instanceof Promise) {
                    return result.then((r) => {
                        if (entry)
                            entry.issues = r.issues.length ? cloneIssues(r.issues) : NO_ISSUES;
                        return r;
                    });
                }
                if (entry)
                    entry.issues = result.issues.length ? cloneIssues(result.issues) : NO_ISSUES;
                return result;
            };
            inst._zod.parse = wrapped;
            if (inst._zod.run === base)
                inst._zod.run = wrapped;
        });
    },
};
/** The memoizer that gives containers cycle support. `zod` installs it by default; `zod/mini` opts in with `config({ memoizer: memoizer() })`. */
function memoizer() {
    return memo;
}
/** Whether this value is a node a back-edge resolved to before it finished. */
function isBackEdge(ctx, value) {
    const backEdges = ctx[STATE]?.backEdges;
    return backEdges !== undefined && isRef(value) && backEdges.has(value);
}

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/regexes.js

/**
 * @deprecated CUID v1 is deprecated by its authors due to information leakage
 * (timestamps embedded in the id). Use {@link cuid2} instead.
 * See https://github.com/paralleldrive/cuid.
 */
const cuid = /^[cC][0-9a-z]{6,}$/;
const cuid2 = /^[0-9a-z]+$/;
const ulid = /^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$/;
const xid = /^[0-9a-vA-V]{20}$/;
const ksuid = /^[A-Za-z0-9]{27}$/;
const nanoid = /^[a-zA-Z0-9_-]{21}$/;
function nanoidOfLength(length) {
    return new RegExp(`^[a-zA-Z0-9_-]{${length}}$`);
}
/** ISO 8601-1 duration regex. Does not support the 8601-2 extensions like negative durations or fractional/negative components. */
const duration = /^P(?:(\d+W)|(?!.*W)(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?)$/;
/** Implements ISO 8601-2 extensions like explicit +- prefixes, mixing weeks with other units, and fractional/negative components. */
const extendedDuration = /^[-+]?P(?!$)(?:(?:[-+]?\d+Y)|(?:[-+]?\d+[.,]\d+Y$))?(?:(?:[-+]?\d+M)|(?:[-+]?\d+[.,]\d+M$))?(?:(?:[-+]?\d+W)|(?:[-+]?\d+[.,]\d+W$))?(?:(?:[-+]?\d+D)|(?:[-+]?\d+[.,]\d+D$))?(?:T(?=[\d+-])(?:(?:[-+]?\d+H)|(?:[-+]?\d+[.,]\d+H$))?(?:(?:[-+]?\d+M)|(?:[-+]?\d+[.,]\d+M$))?(?:[-+]?\d+(?:[.,]\d+)?S)?)??$/;
/** A regex for any UUID-like identifier: 8-4-4-4-12 hex pattern */
const guid = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
/** Returns a regex for validating an RFC 9562/4122 UUID.
 *
 * @param version Optionally specify a version 1-8. If no version is specified, all versions are supported. */
const uuid = (version) => {
    if (!version)
        return /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;
    return new RegExp(`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-${version}[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12})$`);
};
const uuid4 = /*@__PURE__*/ (/* unused pure expression or super */ null && (uuid(4)));
const uuid6 = /*@__PURE__*/ (/* unused pure expression or super */ null && (uuid(6)));
const uuid7 = /*@__PURE__*/ (/* unused pure expression or super */ null && (uuid(7)));
/** Practical email validation */
const email = /^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$/;
/** Equivalent to the HTML5 input[type=email] validation implemented by browsers. Source: https://developer.mozilla.org/en-US/docs/Web/HTML/Element/input/email */
const html5Email = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
/** The classic emailregex.com regex for RFC 5322-compliant emails */
const rfc5322Email = /^(([^<>()\[\]\\.,;:\s@"]+(\.[^<>()\[\]\\.,;:\s@"]+)*)|(".+"))@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}])|(([a-zA-Z\-0-9]+\.)+[a-zA-Z]{2,}))$/;
/** A loose regex that allows Unicode characters, enforces length limits, and that's about it. */
const unicodeEmail = /^[^\s@"]{1,64}@[^\s@]{1,255}$/u;
const idnEmail = (/* unused pure expression or super */ null && (unicodeEmail));
const browserEmail = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
// from https://thekevinscott.com/emojis-in-javascript/#writing-a-regular-expression
// Single character class, not an alternation: the two properties overlap (U+1F9B0-U+1F9B3), so `(A|B)+` backtracks exponentially on a failed match. The leading lookahead then demands one anchor — a pictograph, a regional indicator, or the enclosing keycap — because `\p{Emoji_Component}` on its own covers ASCII digits, `#`, `*`, ZWJ, variation selectors and skin tone modifiers, none of which is an emoji without a base.
const _emoji = `^(?=[\\s\\S]*[\\p{Extended_Pictographic}\\p{Regional_Indicator}\\u20E3])[\\p{Extended_Pictographic}\\p{Emoji_Component}]+$`;
function emoji() {
    return new RegExp(_emoji, "u");
}
const ipv4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])$/;
const ipv6 = /^(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|:((:[0-9a-fA-F]{1,4}){1,7}|:))$/;
const mac = (delimiter) => {
    const escapedDelim = util.escapeRegex(delimiter ?? ":");
    return new RegExp(`^(?:[0-9A-F]{2}${escapedDelim}){5}[0-9A-F]{2}$|^(?:[0-9a-f]{2}${escapedDelim}){5}[0-9a-f]{2}$`);
};
const cidrv4 = /^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\/([0-9]|[1-2][0-9]|3[0-2])$/;
const cidrv6 = /^(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|:((:[0-9a-fA-F]{1,4}){1,7}|:))\/(12[0-8]|1[01][0-9]|[1-9]?[0-9])$/;
// https://stackoverflow.com/questions/7860392/determine-if-string-is-in-base64-using-javascript
const base64 = /^$|^(?:[0-9a-zA-Z+/]{4})*(?:(?:[0-9a-zA-Z+/]{2}==)|(?:[0-9a-zA-Z+/]{3}=))?$/;
const base64url = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?$/;
// based on https://stackoverflow.com/questions/106179/regular-expression-to-match-dns-hostname-or-ip-address
// export const hostname: RegExp = /^([a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+$/;
const hostname = /^(?=.{1,253}\.?$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[-0-9a-zA-Z]{0,61}[0-9a-zA-Z])?)*\.?$/;
const domain = /^(?=.{1,253}$)([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$/;
const httpProtocol = /^https?$/;
// https://blog.stevenlevithan.com/archives/validate-phone-number#r4-3 (regex sans spaces) E.164: leading digit must be 1-9; total digits (excluding '+') between 7-15
const e164 = /^\+[1-9]\d{6,14}$/;
// Credit card shape: 12–19 digits, optionally separated by single spaces or single hyphens. ISO/IEC 7812 caps the PAN at 19 digits; 12 is the shortest issued length (Maestro).
const creditCard = /^\d(?:[ -]?\d){11,18}$/;
// ISO 4217 alpha codes from the SIX list, regenerated by scripts/update-iso-4217.ts
const currencyCode = /^(?:AED|AFN|ALL|AMD|AOA|ARS|AUD|AWG|AZN|BAM|BBD|BDT|BHD|BIF|BMD|BND|BOB|BOV|BRL|BSD|BTN|BWP|BYN|BZD|CAD|CDF|CHE|CHF|CHW|CLF|CLP|CNY|COP|COU|CRC|CUP|CVE|CZK|DJF|DKK|DOP|DZD|EGP|ERN|ETB|EUR|FJD|FKP|GBP|GEL|GHS|GIP|GMD|GNF|GTQ|GYD|HKD|HNL|HTG|HUF|IDR|ILS|INR|IQD|IRR|ISK|JMD|JOD|JPY|KES|KGS|KHR|KMF|KPW|KRW|KWD|KYD|KZT|LAK|LBP|LKR|LRD|LSL|LYD|MAD|MDL|MGA|MKD|MMK|MNT|MOP|MRU|MUR|MVR|MWK|MXN|MXV|MYR|MZN|NAD|NGN|NIO|NOK|NPR|NZD|OMR|PAB|PEN|PGK|PHP|PKR|PLN|PYG|QAR|RON|RSD|RUB|RWF|SAR|SBD|SCR|SDG|SEK|SGD|SHP|SLE|SOS|SRD|SSP|STN|SVC|SYP|SZL|THB|TJS|TMT|TND|TOP|TRY|TTD|TWD|TZS|UAH|UGX|USD|USN|UYI|UYU|UYW|UZS|VED|VES|VND|VUV|WST|XAD|XAF|XAG|XAU|XBA|XBB|XBC|XBD|XCD|XCG|XDR|XOF|XPD|XPF|XPT|XSU|XTS|XUA|XXX|YER|ZAR|ZMW|ZWG)$/;
// iban electronic format: 2-letter country, check digits 02-98 (the only values `98 - remainder` can produce), 11-30 bban characters
const iban = /^[A-Z]{2}(?!00|01|99)\d{2}[A-Z0-9]{11,30}$/;
const dateSource = `(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))`;
/** Anchors a pattern source. The interpolation lives here rather than at the call site because
 * esbuild will not drop a `@__PURE__` call whose own argument interpolates a variable, but it
 * will drop `anchor(dateSource)`. Keeping it inline pinned `date` into every bundle. */
function regexes_anchor(source) {
    return new RegExp(`^${source}$`);
}
const date = /*@__PURE__*/ regexes_anchor(dateSource);
function timeSource(args) {
    const hhmm = `(?:[01]\\d|2[0-3]):[0-5]\\d`;
    const regex = typeof args.precision === "number"
        ? args.precision === -1
            ? `${hhmm}`
            : args.precision === 0
                ? `${hhmm}:[0-5]\\d`
                : `${hhmm}:[0-5]\\d\\.\\d{${args.precision}}`
        : args.seconds
            ? `${hhmm}:[0-5]\\d(?:\\.\\d+)?`
            : `${hhmm}(?::[0-5]\\d(?:\\.\\d+)?)?`;
    return regex;
}
function time(args) {
    return new RegExp(`^${timeSource(args)}$`);
}
// Adapted from https://stackoverflow.com/a/3143231
function datetime(args) {
    const opts = ["Z"];
    // if (args.offset) opts.push(`([+-]\\d{2}:\\d{2})`);
    if (args.offset)
        opts.push(`([+-](?:[01]\\d|2[0-3]):[0-5]\\d)`);
    // RFC 3339 mandates seconds wherever the time carries a `Z` or an offset, so only the unqualified form `local` adds may omit them
    const qualified = `${timeSource({ precision: args.precision, seconds: true })}(?:${opts.join("|")})`;
    const timeRegex = args.local ? `${qualified}|${timeSource({ precision: args.precision })}` : qualified;
    return new RegExp(`^${dateSource}T(?:${timeRegex})$`);
}
// the unbounded form of `string()` as a literal, so every plain string shares one instance instead of building its own
const anyString = /^[\s\S]{0,}$/;
const string = (params) => {
    const regex = params ? `[\\s\\S]{${params?.minimum ?? 0},${params?.maximum ?? ""}}` : `[\\s\\S]*`;
    return new RegExp(`^${regex}$`);
};
const bigint = /^-?\d+n?$/;
const integer = /^-?\d+$/;
const number = /^-?\d+(?:\.\d+)?$/;
const regexes_boolean = /^(?:true|false)$/i;
const _null = /^null$/i;

const _undefined = /^undefined$/i;

// regex for string with no uppercase letters
const lowercase = /^[^A-Z]*$/;
// regex for string with no lowercase letters
const uppercase = /^[^a-z]*$/;
// regex for hexadecimal strings (any length)
const hex = /^[0-9a-fA-F]*$/;
// Hash regexes for different algorithms and encodings
// Helper function to create base64 regex with exact length and padding
function fixedBase64(bodyLength, padding) {
    return new RegExp(`^[A-Za-z0-9+/]{${bodyLength}}${padding}$`);
}
// Helper function to create base64url regex with exact length (no padding)
function fixedBase64url(length) {
    return new RegExp(`^[A-Za-z0-9_-]{${length}}$`);
}
// MD5 (16 bytes): base64 = 24 chars total (22 + "==")
const md5_hex = /^[0-9a-fA-F]{32}$/;
const md5_base64 = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64(22, "==")));
const md5_base64url = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64url(22)));
// SHA1 (20 bytes): base64 = 28 chars total (27 + "=")
const sha1_hex = /^[0-9a-fA-F]{40}$/;
const sha1_base64 = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64(27, "=")));
const sha1_base64url = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64url(27)));
// SHA256 (32 bytes): base64 = 44 chars total (43 + "=")
const sha256_hex = /^[0-9a-fA-F]{64}$/;
const sha256_base64 = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64(43, "=")));
const sha256_base64url = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64url(43)));
// SHA384 (48 bytes): base64 = 64 chars total (no padding)
const sha384_hex = /^[0-9a-fA-F]{96}$/;
const sha384_base64 = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64(64, "")));
const sha384_base64url = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64url(64)));
// SHA512 (64 bytes): base64 = 88 chars total (86 + "==")
const sha512_hex = /^[0-9a-fA-F]{128}$/;
const sha512_base64 = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64(86, "==")));
const sha512_base64url = /*@__PURE__*/ (/* unused pure expression or super */ null && (fixedBase64url(86)));

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/checks.js
// import { $ZodType } from "./schemas.js";



const $ZodCheck = /*@__PURE__*/ $constructor("$ZodCheck", (inst, def) => {
    var _a;
    inst._zod ?? (inst._zod = {});
    inst._zod.def = def;
    (_a = inst._zod).onattach ?? (_a.onattach = []);
});
/** Default `when` for size-based checks: run only on non-nullish values with a `size`. */
const _whenHasSize = (payload) => {
    const val = payload.value;
    return !util.nullish(val) && val.size !== undefined;
};
/** Default `when` for length-based checks: run only on non-nullish values with a `length`. */
const _whenHasLength = (payload) => {
    const val = payload.value;
    return !nullish(val) && val.length !== undefined;
};
const numericOriginMap = {
    number: "number",
    bigint: "bigint",
    object: "date",
};
const $ZodCheckLessThan = /*@__PURE__*/ $constructor("$ZodCheckLessThan", (inst, def) => {
    $ZodCheck.init(inst, def);
    const origin = numericOriginMap[typeof def.value];
    inst._zod.check = (payload) => {
        if (def.inclusive ? payload.value <= def.value : payload.value < def.value) {
            return;
        }
        payload.issues.push({
            origin: numericOriginMap[typeof payload.value] ?? origin,
            code: "too_big",
            maximum: typeof def.value === "object" ? def.value.getTime() : def.value,
            input: payload.value,
            inclusive: def.inclusive,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCheckGreaterThan = /*@__PURE__*/ $constructor("$ZodCheckGreaterThan", (inst, def) => {
    $ZodCheck.init(inst, def);
    const origin = numericOriginMap[typeof def.value];
    inst._zod.check = (payload) => {
        if (def.inclusive ? payload.value >= def.value : payload.value > def.value) {
            return;
        }
        payload.issues.push({
            origin: numericOriginMap[typeof payload.value] ?? origin,
            code: "too_small",
            minimum: typeof def.value === "object" ? def.value.getTime() : def.value,
            input: payload.value,
            inclusive: def.inclusive,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCheckMultipleOf = 
/*@__PURE__*/ $constructor("$ZodCheckMultipleOf", (inst, def) => {
    $ZodCheck.init(inst, def);
    inst._zod.check = (payload) => {
        if (typeof payload.value !== typeof def.value)
            throw new Error("Cannot mix number and bigint in multiple_of check.");
        const isMultiple = typeof payload.value === "bigint"
            ? // `value % 0n` throws, and nothing is a multiple of zero — the number branch already fails this way via NaN
                def.value !== BigInt(0) && payload.value % def.value === BigInt(0)
            : floatSafeRemainder(payload.value, def.value) === 0;
        if (isMultiple)
            return;
        payload.issues.push({
            origin: typeof payload.value,
            code: "not_multiple_of",
            divisor: def.value,
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCheckNumberFormat = /*@__PURE__*/ $constructor("$ZodCheckNumberFormat", (inst, def) => {
    $ZodCheck.init(inst, def); // no format checks
    def.format = def.format || "float64";
    const isInt = def.format?.includes("int");
    const origin = isInt ? "int" : "number";
    const [minimum, maximum] = NUMBER_FORMAT_RANGES[def.format];
    inst._zod.check = (payload) => {
        const input = payload.value;
        if (isInt) {
            if (!Number.isInteger(input)) {
                // invalid_format issue
                // payload.issues.push({
                //   expected: def.format,
                //   format: def.format,
                //   code: "invalid_format",
                //   input,
                //   inst,
                // });
                // invalid_type issue
                payload.issues.push({
                    expected: origin,
                    format: def.format,
                    code: "invalid_type",
                    continue: false,
                    input,
                    inst,
                });
                return;
                // not_multiple_of issue
                // payload.issues.push({
                //   code: "not_multiple_of",
                //   origin: "number",
                //   input,
                //   inst,
                //   divisor: 1,
                // });
            }
            if (!Number.isSafeInteger(input)) {
                if (input > 0) {
                    // too_big
                    payload.issues.push({
                        input,
                        code: "too_big",
                        maximum: Number.MAX_SAFE_INTEGER,
                        note: "Integers must be within the safe integer range.",
                        inst,
                        origin,
                        inclusive: true,
                        continue: !def.abort,
                    });
                }
                else {
                    // too_small
                    payload.issues.push({
                        input,
                        code: "too_small",
                        minimum: Number.MIN_SAFE_INTEGER,
                        note: "Integers must be within the safe integer range.",
                        inst,
                        origin,
                        inclusive: true,
                        continue: !def.abort,
                    });
                }
                return;
            }
        }
        if (input < minimum) {
            payload.issues.push({
                origin: "number",
                input,
                code: "too_small",
                minimum,
                inclusive: true,
                inst,
                continue: !def.abort,
            });
        }
        if (input > maximum) {
            payload.issues.push({
                origin: "number",
                input,
                code: "too_big",
                maximum,
                inclusive: true,
                inst,
                continue: !def.abort,
            });
        }
    };
});
const $ZodCheckBigIntFormat = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodCheckBigIntFormat", (inst, def) => {
    $ZodCheck.init(inst, def); // no format checks
    const [minimum, maximum] = util.BIGINT_FORMAT_RANGES[def.format];
    inst._zod.check = (payload) => {
        const input = payload.value;
        if (input < minimum) {
            payload.issues.push({
                origin: "bigint",
                input,
                code: "too_small",
                minimum: minimum,
                inclusive: true,
                inst,
                continue: !def.abort,
            });
        }
        if (input > maximum) {
            payload.issues.push({
                origin: "bigint",
                input,
                code: "too_big",
                maximum,
                inclusive: true,
                inst,
                continue: !def.abort,
            });
        }
    };
})));
const $ZodCheckMaxSize = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodCheckMaxSize", (inst, def) => {
    var _a;
    $ZodCheck.init(inst, def);
    (_a = inst._zod.def).when ?? (_a.when = _whenHasSize);
    inst._zod.check = (payload) => {
        const input = payload.value;
        const size = input.size;
        if (size <= def.maximum)
            return;
        payload.issues.push({
            origin: util.getSizableOrigin(input),
            code: "too_big",
            maximum: def.maximum,
            inclusive: true,
            input,
            inst,
            continue: !def.abort,
        });
    };
})));
const $ZodCheckMinSize = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodCheckMinSize", (inst, def) => {
    var _a;
    $ZodCheck.init(inst, def);
    (_a = inst._zod.def).when ?? (_a.when = _whenHasSize);
    inst._zod.check = (payload) => {
        const input = payload.value;
        const size = input.size;
        if (size >= def.minimum)
            return;
        payload.issues.push({
            origin: util.getSizableOrigin(input),
            code: "too_small",
            minimum: def.minimum,
            inclusive: true,
            input,
            inst,
            continue: !def.abort,
        });
    };
})));
const $ZodCheckSizeEquals = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodCheckSizeEquals", (inst, def) => {
    var _a;
    $ZodCheck.init(inst, def);
    (_a = inst._zod.def).when ?? (_a.when = _whenHasSize);
    inst._zod.check = (payload) => {
        const input = payload.value;
        const size = input.size;
        if (size === def.size)
            return;
        const tooBig = size > def.size;
        payload.issues.push({
            origin: util.getSizableOrigin(input),
            ...(tooBig ? { code: "too_big", maximum: def.size } : { code: "too_small", minimum: def.size }),
            inclusive: true,
            exact: true,
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
})));
const $ZodCheckMaxLength = /*@__PURE__*/ $constructor("$ZodCheckMaxLength", (inst, def) => {
    var _a;
    $ZodCheck.init(inst, def);
    (_a = inst._zod.def).when ?? (_a.when = _whenHasLength);
    inst._zod.check = (payload) => {
        const input = payload.value;
        const units = input.length;
        // Strings are measured in Unicode code points, not UTF-16 units. A code point is at most two units, so a string that already fits in units fits in code points; only an overflow has to be counted.
        const length = typeof input === "string" && units > def.maximum ? codePointLength(input) : units;
        if (length <= def.maximum)
            return;
        const origin = getLengthableOrigin(input);
        payload.issues.push({
            origin,
            code: "too_big",
            maximum: def.maximum,
            inclusive: true,
            input,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCheckMinLength = /*@__PURE__*/ $constructor("$ZodCheckMinLength", (inst, def) => {
    var _a;
    $ZodCheck.init(inst, def);
    (_a = inst._zod.def).when ?? (_a.when = _whenHasLength);
    inst._zod.check = (payload) => {
        const input = payload.value;
        const units = input.length;
        // A code point is one or two UTF-16 units, so fewer units than the floor can never reach it and twice the floor always clears it. Only in between is the exact count in doubt.
        const length = typeof input === "string" && units >= def.minimum && units < def.minimum * 2
            ? codePointLength(input)
            : units;
        if (length >= def.minimum)
            return;
        const origin = getLengthableOrigin(input);
        payload.issues.push({
            origin,
            code: "too_small",
            minimum: def.minimum,
            inclusive: true,
            input,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCheckLengthEquals = /*@__PURE__*/ $constructor("$ZodCheckLengthEquals", (inst, def) => {
    var _a;
    $ZodCheck.init(inst, def);
    (_a = inst._zod.def).when ?? (_a.when = _whenHasLength);
    inst._zod.check = (payload) => {
        const input = payload.value;
        const units = input.length;
        // A code point is one or two UTF-16 units, so outside `[length, length * 2]` units the target is missed either way — and missed in the same direction in both measures.
        const length = typeof input === "string" && units >= def.length && units <= def.length * 2
            ? codePointLength(input)
            : units;
        if (length === def.length)
            return;
        const origin = getLengthableOrigin(input);
        const tooBig = length > def.length;
        payload.issues.push({
            origin,
            ...(tooBig ? { code: "too_big", maximum: def.length } : { code: "too_small", minimum: def.length }),
            inclusive: true,
            exact: true,
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCheckStringFormat = /*@__PURE__*/ $constructor("$ZodCheckStringFormat", (inst, def) => {
    var _a, _b;
    $ZodCheck.init(inst, def);
    if (def.pattern)
        (_a = inst._zod).check ?? (_a.check = (payload) => {
            def.pattern.lastIndex = 0;
            if (def.pattern.test(payload.value))
                return;
            payload.issues.push({
                origin: "string",
                code: "invalid_format",
                format: def.format,
                input: payload.value,
                ...(def.pattern ? { pattern: def.pattern.toString() } : {}),
                inst,
                continue: !def.abort,
            });
        });
    else
        (_b = inst._zod).check ?? (_b.check = () => { });
});
const $ZodCheckRegex = /*@__PURE__*/ $constructor("$ZodCheckRegex", (inst, def) => {
    $ZodCheckStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        def.pattern.lastIndex = 0;
        if (def.pattern.test(payload.value))
            return;
        payload.issues.push({
            origin: "string",
            code: "invalid_format",
            format: "regex",
            input: payload.value,
            pattern: def.pattern.toString(),
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCheckLowerCase = /*@__PURE__*/ $constructor("$ZodCheckLowerCase", (inst, def) => {
    def.pattern ?? (def.pattern = lowercase);
    $ZodCheckStringFormat.init(inst, def);
});
const $ZodCheckUpperCase = /*@__PURE__*/ $constructor("$ZodCheckUpperCase", (inst, def) => {
    def.pattern ?? (def.pattern = uppercase);
    $ZodCheckStringFormat.init(inst, def);
});
const $ZodCheckIncludes = /*@__PURE__*/ $constructor("$ZodCheckIncludes", (inst, def) => {
    $ZodCheck.init(inst, def);
    const escapedRegex = escapeRegex(def.includes);
    // `String.prototype.includes(sub, position)` matches `sub` at `position`
    // OR LATER, so the pattern must allow at least `position` leading chars
    // (`{N,}`), not exactly `position` chars (`{N}`).
    const pattern = new RegExp(typeof def.position === "number" ? `^.{${def.position},}${escapedRegex}` : escapedRegex);
    def.pattern = pattern;
    inst._zod.check = (payload) => {
        if (payload.value.includes(def.includes, def.position))
            return;
        payload.issues.push({
            origin: "string",
            code: "invalid_format",
            format: "includes",
            includes: def.includes,
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCheckStartsWith = /*@__PURE__*/ $constructor("$ZodCheckStartsWith", (inst, def) => {
    $ZodCheck.init(inst, def);
    const pattern = new RegExp(`^${escapeRegex(def.prefix)}.*`);
    def.pattern ?? (def.pattern = pattern);
    inst._zod.check = (payload) => {
        if (payload.value.startsWith(def.prefix))
            return;
        payload.issues.push({
            origin: "string",
            code: "invalid_format",
            format: "starts_with",
            prefix: def.prefix,
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCheckEndsWith = /*@__PURE__*/ $constructor("$ZodCheckEndsWith", (inst, def) => {
    $ZodCheck.init(inst, def);
    const pattern = new RegExp(`.*${escapeRegex(def.suffix)}$`);
    def.pattern ?? (def.pattern = pattern);
    inst._zod.check = (payload) => {
        if (payload.value.endsWith(def.suffix))
            return;
        payload.issues.push({
            origin: "string",
            code: "invalid_format",
            format: "ends_with",
            suffix: def.suffix,
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
});
///////////////////////////////////
/////    $ZodCheckProperty    /////
///////////////////////////////////
function handleCheckPropertyResult(result, payload, property) {
    if (result.issues.length) {
        payload.issues.push(...prefixIssues(property, result.issues));
    }
}
const $ZodCheckProperty = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodCheckProperty", (inst, def) => {
    $ZodCheck.init(inst, def);
    inst._zod.check = (payload) => {
        const result = def.schema._zod.run({
            value: payload.value[def.property],
            issues: [],
        }, {});
        if (result instanceof Promise) {
            return result.then((result) => handleCheckPropertyResult(result, payload, def.property));
        }
        handleCheckPropertyResult(result, payload, def.property);
        return;
    };
})));
const $ZodCheckProperties = /*@__PURE__*/ $constructor("$ZodCheckProperties", (inst, def) => {
    $ZodCheck.init(inst, def);
    hide(inst, Symbol.iterator, function* () {
        yield inst;
    });
    // key and schema snapshotted together: reading one live and the other cached lets a later mutation of the caller's shape object pair a stale key with a missing schema
    let entries;
    inst._zod.check = (payload) => {
        // the base schema already typed the value, so only a nullish one is rejected here: the properties read on a primitive too, matching z.property() on a string's length
        if (payload.value == null) {
            payload.issues.push({ expected: "object", code: "invalid_type", input: payload.value, inst });
            return undefined;
        }
        entries ?? (entries = Reflect.ownKeys(def.shape).map((key) => [key, def.shape[key]]));
        const input = payload.value;
        let proms;
        for (const [key, schema] of entries) {
            const result = schema._zod.run({ value: input[key], issues: [] }, {});
            if (result instanceof Promise) {
                proms ?? (proms = []);
                proms.push(result.then((result) => handleCheckPropertyResult(result, payload, key)));
            }
            else {
                handleCheckPropertyResult(result, payload, key);
            }
        }
        if (proms)
            return Promise.all(proms).then(() => undefined);
        return undefined;
    };
});
const $ZodCheckMimeType = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodCheckMimeType", (inst, def) => {
    $ZodCheck.init(inst, def);
    const mimeSet = new Set(def.mime);
    inst._zod.check = (payload) => {
        if (mimeSet.has(payload.value.type))
            return;
        payload.issues.push({
            code: "invalid_value",
            values: def.mime,
            input: payload.value.type,
            inst,
            continue: !def.abort,
        });
    };
})));
const $ZodCheckOverwrite = /*@__PURE__*/ $constructor("$ZodCheckOverwrite", (inst, def) => {
    $ZodCheck.init(inst, def);
    inst._zod.check = (payload) => {
        payload.value = def.tx(payload.value);
    };
});

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/doc.js
class Doc {
    constructor(args = [], closed = {}) {
        this.content = [];
        this.indent = 0;
        this.args = args;
        this.closed = closed;
    }
    // the compiler catches a child's throw and keeps writing into this doc, so the indent has to unwind with it
    indented(fn) {
        this.indent += 1;
        try {
            fn(this);
        }
        finally {
            this.indent -= 1;
        }
    }
    write(arg) {
        if (typeof arg === "function") {
            arg(this, { execution: "sync" });
            arg(this, { execution: "async" });
            return;
        }
        const content = arg;
        const lines = content.split("\n").filter((x) => x);
        const minIndent = Math.min(...lines.map((x) => x.length - x.trimStart().length));
        const dedented = lines.map((x) => x.slice(minIndent)).map((x) => " ".repeat(this.indent * 2) + x);
        for (const line of dedented) {
            this.content.push(line);
        }
    }
    compile() {
        const F = Function;
        const content = this?.content ?? [``];
        const factory = new F(...Object.keys(this.closed), `return function (${this.args.join(", ")}) {\n${content.join("\n")}\n};`);
        return factory(...Object.values(this.closed));
    }
}

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/versions.js
const version = {
    major: 4,
    minor: 6,
    patch: 7,
};

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/schemas.js







const $ZodType = /*@__PURE__*/ $constructor("$ZodType", (inst, def) => {
    var _a;
    inst ?? (inst = {});
    inst._zod.def = def; // set _def property
    inst._zod.bag = inst._zod.bag || {}; // initialize _bag object
    inst._zod.version = version;
    const defChecks = inst._zod.def.checks;
    // if inst is itself a checks.$ZodCheck, run it as a check
    const checks = inst._zod.traits.has("$ZodCheck")
        ? [inst, ...(defChecks ?? [])]
        : defChecks?.length
            ? [...defChecks]
            : [];
    for (const ch of checks) {
        for (const fn of ch._zod.onattach) {
            fn(inst);
        }
    }
    if (checks.length === 0) {
        // deferred initializer inst._zod.parse is not yet defined
        (_a = inst._zod).deferred ?? (_a.deferred = []);
        inst._zod.deferred?.push(() => {
            inst._zod.run = inst._zod.parse;
        });
    }
    else {
        const runChecks = (payload, checks, ctx) => {
            if (payload.memo)
                return payload;
            let isAborted = aborted(payload);
            let asyncResult;
            for (const ch of checks) {
                if (ch._zod.def.when) {
                    if (explicitlyAborted(payload))
                        continue;
                    const shouldRun = ch._zod.def.when(payload);
                    if (!shouldRun)
                        continue;
                }
                else if (isAborted) {
                    continue;
                }
                const currLen = payload.issues.length;
                const _ = ch._zod.check(payload);
                if (_ instanceof Promise && ctx?.async === false) {
                    throw new $ZodAsyncError();
                }
                if (asyncResult || _ instanceof Promise) {
                    asyncResult = (asyncResult ?? Promise.resolve()).then(async () => {
                        await _;
                        const nextLen = payload.issues.length;
                        if (nextLen === currLen)
                            return;
                        attachSchema(payload.issues, currLen, inst);
                        if (!isAborted)
                            isAborted = aborted(payload, currLen);
                    });
                }
                else {
                    const nextLen = payload.issues.length;
                    if (nextLen === currLen)
                        continue;
                    attachSchema(payload.issues, currLen, inst);
                    if (!isAborted)
                        isAborted = aborted(payload, currLen);
                }
            }
            if (asyncResult) {
                return asyncResult.then(() => {
                    return payload;
                });
            }
            return payload;
        };
        const handleCanaryResult = (canary, payload, ctx) => {
            // abort if the canary is aborted
            if (aborted(canary)) {
                canary.aborted = true;
                return canary;
            }
            // run checks first, then
            const checkResult = runChecks(payload, checks, ctx);
            if (checkResult instanceof Promise) {
                if (ctx.async === false)
                    throw new $ZodAsyncError();
                return checkResult.then((checkResult) => inst._zod.parse(checkResult, ctx));
            }
            return inst._zod.parse(checkResult, ctx);
        };
        inst._zod.run = (payload, ctx) => {
            if (ctx.skipChecks) {
                return inst._zod.parse(payload, ctx);
            }
            if (ctx.direction === "backward") {
                // run canary initial pass (no checks)
                const canary = inst._zod.parse({ value: payload.value, issues: [] }, { ...ctx, skipChecks: true });
                if (canary instanceof Promise) {
                    return canary.then((canary) => {
                        return handleCanaryResult(canary, payload, ctx);
                    });
                }
                return handleCanaryResult(canary, payload, ctx);
            }
            // forward
            const result = inst._zod.parse(payload, ctx);
            if (result instanceof Promise) {
                if (ctx.async === false)
                    throw new $ZodAsyncError();
                return result.then((result) => runChecks(result, checks, ctx));
            }
            return runChecks(result, checks, ctx);
        };
    }
}, {
    // Wrappers extend this by installing a richer factory over it; reading it eagerly would defeat the laziness.
    get "~standard"() {
        return hide(this, "~standard", standardProps(this));
    },
    set "~standard"(value) {
        own(this, "~standard", value);
    },
});
/** The Standard Schema surface for `inst`. Shared so wrappers can extend it without forcing it. */
// a Standard Schema result only reports issues, so a failure finalizes them straight off the raw payload: no ZodError, and no lazy result to read through
const toStandardResult = (r, ctx) => r.issues.length ? { issues: r.issues.map((iss) => finalizeIssue(iss, ctx, config())) } : { value: r.value };
async function validateAsync(inst, value) {
    const ctx = { async: true };
    return toStandardResult((await inst._zod.run({ value, issues: [] }, ctx)), ctx);
}
function standardProps(inst) {
    return {
        validate: (value) => {
            const ctx = { async: false };
            try {
                const r = inst._zod.run({ value, issues: [] }, ctx);
                if (!(r instanceof Promise))
                    return toStandardResult(r, ctx);
            }
            catch (_) { }
            // async function so a synchronously throwing check rejects instead of escaping validate
            return validateAsync(inst, value);
        },
        vendor: "zod",
        version: 1,
    };
}

const $ZodString = /*@__PURE__*/ $constructor("$ZodString", (inst, def) => {
    $ZodType.init(inst, def);
    // a format's own pattern, else unbounded; a template literal derives the check-aware form itself
    inst._zod.pattern = def.pattern ?? anyString;
    inst._zod.parse = (payload, _) => {
        if (def.coerce)
            try {
                payload.value = String(payload.value);
            }
            catch (_) { }
        if (typeof payload.value === "string")
            return payload;
        payload.issues.push({
            expected: "string",
            code: "invalid_type",
            input: payload.value,
            inst,
        });
        return payload;
    };
});
const $ZodStringFormat = /*@__PURE__*/ $constructor("$ZodStringFormat", (inst, def) => {
    // check initialization must come first
    $ZodCheckStringFormat.init(inst, def);
    $ZodString.init(inst, def);
});
const $ZodGUID = /*@__PURE__*/ $constructor("$ZodGUID", (inst, def) => {
    def.pattern ?? (def.pattern = guid);
    $ZodStringFormat.init(inst, def);
});
const $ZodUUID = /*@__PURE__*/ $constructor("$ZodUUID", (inst, def) => {
    if (def.version) {
        const versionMap = {
            v1: 1,
            v2: 2,
            v3: 3,
            v4: 4,
            v5: 5,
            v6: 6,
            v7: 7,
            v8: 8,
        };
        const v = versionMap[def.version];
        if (v === undefined)
            throw new Error(`Invalid UUID version: "${def.version}"`);
        def.pattern ?? (def.pattern = uuid(v));
    }
    else
        def.pattern ?? (def.pattern = uuid());
    $ZodStringFormat.init(inst, def);
});
const $ZodEmail = /*@__PURE__*/ $constructor("$ZodEmail", (inst, def) => {
    def.pattern ?? (def.pattern = email);
    $ZodStringFormat.init(inst, def);
});
/** The `://` guard rejected the input before the URL constructor saw it. */
const URL_BAD_FORMAT = 1;
/** The URL parser rejected the input. */
const URL_UNPARSEABLE = 2;
function canParseURL(input) {
    try {
        if (typeof URL !== "undefined" && typeof URL.canParse === "function")
            return URL.canParse(input);
        new URL(input);
        return true;
    }
    catch {
        return false;
    }
}
function validateURL(trimmed, def) {
    if (!("normalize" in def) && !("hostname" in def) && !("protocol" in def)) {
        return canParseURL(trimmed) || URL_UNPARSEABLE;
    }
    return parseURLObject(trimmed, def);
}
/** Parses a URL while preserving the non-normalizing HTTP guard. */
function parseURLObject(trimmed, def) {
    // When normalize is off, require :// for http/https URLs. This prevents strings like "http:example.com" or "https:/path" from being silently accepted
    if (!def.normalize && def.protocol?.source === httpProtocol.source && !/^https?:\/\//i.test(trimmed)) {
        return URL_BAD_FORMAT;
    }
    try {
        if (typeof URL !== "undefined") {
            const URLStatic = URL;
            if (typeof URLStatic.parse === "function")
                return URLStatic.parse(trimmed) ?? URL_UNPARSEABLE;
        }
        // @ts-ignore
        return new URL(trimmed);
    }
    catch {
        return URL_UNPARSEABLE;
    }
}
const asciiTabOrNewline = /[\t\n\r]/g;
/** The URL parser deletes every ASCII tab, LF and CR from its input before it parses, so `new URL("https://exa\nmple.com")` reports on `example.com`. Applying the same deletion to the returned value closes the half of that divergence which can move the host; the parser's other rewrite, stripping C0 controls at the edges, cannot. */
function stripTabAndNewline(value) {
    return value.replace(asciiTabOrNewline, "");
}
function urlHostnameOk(url, hostname) {
    hostname.lastIndex = 0;
    return hostname.test(url.hostname);
}
function urlProtocolOk(url, protocol) {
    protocol.lastIndex = 0;
    return protocol.test(url.protocol.endsWith(":") ? url.protocol.slice(0, -1) : url.protocol);
}
const $ZodURL = /*@__PURE__*/ $constructor("$ZodURL", (inst, def) => {
    $ZodStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        try {
            // Trim whitespace from input
            const trimmed = payload.value.trim();
            const url = validateURL(trimmed, def);
            if (url === URL_BAD_FORMAT) {
                payload.issues.push({
                    code: "invalid_format",
                    format: "url",
                    note: "Invalid URL format",
                    input: payload.value,
                    inst,
                    continue: !def.abort,
                });
                return;
            }
            if (url === URL_UNPARSEABLE) {
                payload.issues.push({
                    code: "invalid_format",
                    format: "url",
                    input: payload.value,
                    inst,
                    continue: !def.abort,
                });
                return;
            }
            if (url === true) {
                payload.value = stripTabAndNewline(trimmed);
                return;
            }
            if (def.hostname && !urlHostnameOk(url, def.hostname)) {
                payload.issues.push({
                    code: "invalid_format",
                    format: "url",
                    note: "Invalid hostname",
                    pattern: def.hostname.source,
                    input: payload.value,
                    inst,
                    continue: !def.abort,
                });
            }
            if (def.protocol && !urlProtocolOk(url, def.protocol)) {
                payload.issues.push({
                    code: "invalid_format",
                    format: "url",
                    note: "Invalid protocol",
                    pattern: def.protocol.source,
                    input: payload.value,
                    inst,
                    continue: !def.abort,
                });
            }
            // Set the output value based on normalize flag
            payload.value = def.normalize ? url.href : stripTabAndNewline(trimmed);
            return;
        }
        catch (_) {
            payload.issues.push({
                code: "invalid_format",
                format: "url",
                input: payload.value,
                inst,
                continue: !def.abort,
            });
        }
    };
});
const $ZodEmoji = /*@__PURE__*/ $constructor("$ZodEmoji", (inst, def) => {
    def.pattern ?? (def.pattern = emoji());
    $ZodStringFormat.init(inst, def);
});
const $ZodNanoID = /*@__PURE__*/ $constructor("$ZodNanoID", (inst, def) => {
    if (def.length !== undefined && (!Number.isInteger(def.length) || def.length < 1))
        throw new Error(`Invalid nanoid length: ${def.length}`);
    def.pattern ?? (def.pattern = def.length === undefined ? nanoid : nanoidOfLength(def.length));
    $ZodStringFormat.init(inst, def);
});
/**
 * @deprecated CUID v1 is deprecated by its authors due to information leakage
 * (timestamps embedded in the id). Use {@link $ZodCUID2} instead.
 * See https://github.com/paralleldrive/cuid.
 */
const $ZodCUID = /*@__PURE__*/ $constructor("$ZodCUID", (inst, def) => {
    def.pattern ?? (def.pattern = cuid);
    $ZodStringFormat.init(inst, def);
});
const $ZodCUID2 = /*@__PURE__*/ $constructor("$ZodCUID2", (inst, def) => {
    def.pattern ?? (def.pattern = cuid2);
    $ZodStringFormat.init(inst, def);
});
const $ZodULID = /*@__PURE__*/ $constructor("$ZodULID", (inst, def) => {
    def.pattern ?? (def.pattern = ulid);
    $ZodStringFormat.init(inst, def);
});
const $ZodXID = /*@__PURE__*/ $constructor("$ZodXID", (inst, def) => {
    def.pattern ?? (def.pattern = xid);
    $ZodStringFormat.init(inst, def);
});
const $ZodKSUID = /*@__PURE__*/ $constructor("$ZodKSUID", (inst, def) => {
    def.pattern ?? (def.pattern = ksuid);
    $ZodStringFormat.init(inst, def);
});
const $ZodISODateTime = /*@__PURE__*/ $constructor("$ZodISODateTime", (inst, def) => {
    def.pattern ?? (def.pattern = datetime(def));
    $ZodStringFormat.init(inst, def);
});
const $ZodISODate = /*@__PURE__*/ $constructor("$ZodISODate", (inst, def) => {
    def.pattern ?? (def.pattern = date);
    $ZodStringFormat.init(inst, def);
});
const $ZodISOTime = /*@__PURE__*/ $constructor("$ZodISOTime", (inst, def) => {
    def.pattern ?? (def.pattern = time(def));
    $ZodStringFormat.init(inst, def);
});
const $ZodISODuration = /*@__PURE__*/ $constructor("$ZodISODuration", (inst, def) => {
    def.pattern ?? (def.pattern = duration);
    $ZodStringFormat.init(inst, def);
});
const $ZodIPv4 = /*@__PURE__*/ $constructor("$ZodIPv4", (inst, def) => {
    def.pattern ?? (def.pattern = ipv4);
    $ZodStringFormat.init(inst, def);
});
/** An IPv6 address is written with hex digits, colons and dots, and nothing else. The guard is what makes the check below an IPv6 check: `new URL("http://[...]")` parses an authority, not an address, so `@` and `\` re-delimit it and `"::@1\\"` validates against the host `0.0.0.1`. The URL parser also deletes ASCII tab, LF and CR rather than failing, which is how `"::1\n"` validated as `::1`. */
const ipv6Alphabet = /^[0-9a-fA-F:.]+$/;
function isValidIPv6(value) {
    if (!ipv6Alphabet.test(value))
        return false;
    return canParseURL(`http://[${value}]`);
}
const $ZodIPv6 = /*@__PURE__*/ $constructor("$ZodIPv6", (inst, def) => {
    def.pattern ?? (def.pattern = ipv6);
    $ZodStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        if (!isValidIPv6(payload.value)) {
            payload.issues.push({
                code: "invalid_format",
                format: "ipv6",
                input: payload.value,
                inst,
                continue: !def.abort,
            });
        }
    };
});
const $ZodMAC = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodMAC", (inst, def) => {
    def.pattern ?? (def.pattern = regexes.mac(def.delimiter));
    $ZodStringFormat.init(inst, def);
})));
const $ZodCIDRv4 = /*@__PURE__*/ $constructor("$ZodCIDRv4", (inst, def) => {
    def.pattern ?? (def.pattern = cidrv4);
    $ZodStringFormat.init(inst, def);
});
function isValidCIDRv6(value) {
    const parts = value.split("/");
    if (parts.length !== 2)
        return false;
    const [address, prefix] = parts;
    if (!prefix)
        return false;
    const prefixNum = Number(prefix);
    if (`${prefixNum}` !== prefix)
        return false;
    if (prefixNum < 0 || prefixNum > 128)
        return false;
    return isValidIPv6(address);
}
const $ZodCIDRv6 = /*@__PURE__*/ $constructor("$ZodCIDRv6", (inst, def) => {
    def.pattern ?? (def.pattern = cidrv6); // not used for validation
    $ZodStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        if (!isValidCIDRv6(payload.value)) {
            payload.issues.push({
                code: "invalid_format",
                format: "cidrv6",
                input: payload.value,
                inst,
                continue: !def.abort,
            });
        }
    };
});
//////////////////////////////   ZodBase64   //////////////////////////////
function isValidBase64(data) {
    if (data === "")
        return true;
    // atob ignores whitespace, so reject it up front.
    if (/\s/.test(data))
        return false;
    if (data.length % 4 !== 0)
        return false;
    try {
        // @ts-ignore
        atob(data);
        return true;
    }
    catch {
        return false;
    }
}
// lax on purpose: the quantified regexes.base64 overflows the regex stack on multi-MB input and its leading ^$| alternation leaks through template-literal composition; isValidBase64 enforces length and padding
const base64Charset = /^[0-9a-zA-Z+/]*={0,2}$/;
const $ZodBase64 = /*@__PURE__*/ $constructor("$ZodBase64", (inst, def) => {
    def.pattern ?? (def.pattern = base64Charset);
    $ZodStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        if (isValidBase64(payload.value))
            return;
        payload.issues.push({
            code: "invalid_format",
            format: "base64",
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
});
//////////////////////////////   ZodBase64URL   //////////////////////////////
// lax on purpose: the quantified regexes.base64url overflows the regex stack on multi-MB input; isValidBase64 enforces length on the padded string
const base64urlCharset = /^[A-Za-z0-9_-]*$/;
function isValidBase64URL(data) {
    if (!base64urlCharset.test(data))
        return false;
    const base64 = data.replace(/[-_]/g, (c) => (c === "-" ? "+" : "/"));
    const padded = base64.padEnd(Math.ceil(base64.length / 4) * 4, "=");
    return isValidBase64(padded);
}
const $ZodBase64URL = /*@__PURE__*/ $constructor("$ZodBase64URL", (inst, def) => {
    def.pattern ?? (def.pattern = base64urlCharset);
    $ZodStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        if (isValidBase64URL(payload.value))
            return;
        payload.issues.push({
            code: "invalid_format",
            format: "base64url",
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodE164 = /*@__PURE__*/ $constructor("$ZodE164", (inst, def) => {
    def.pattern ?? (def.pattern = e164);
    $ZodStringFormat.init(inst, def);
});
//////////////////////////////   ZodCreditCard   //////////////////////////////
const CC_SANITIZE = /[- ]/g;
/** Luhn checksum on a digit-only string. Adapted from valibot (MIT). */
function isLuhnAlgo(digits) {
    let length = digits.length;
    let bit = 1;
    let sum = 0;
    while (length) {
        const value = digits.charCodeAt(--length) - 48;
        bit ^= 1;
        sum += bit ? [0, 2, 4, 6, 8, 1, 3, 5, 7, 9][value] : value;
    }
    return sum % 10 === 0;
}
function isValidCreditCard(input) {
    if (!regexes.creditCard.test(input))
        return false;
    return isLuhnAlgo(input.replace(CC_SANITIZE, ""));
}
const $ZodCreditCard = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodCreditCard", (inst, def) => {
    // Shape only — the Luhn check below is not expressible as a pattern, so consumers of `pattern` (JSON Schema, template literals) get the length and separator rules alone.
    def.pattern ?? (def.pattern = regexes.creditCard);
    $ZodStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        if (isValidCreditCard(payload.value))
            return;
        payload.issues.push({
            code: "invalid_format",
            format: "credit_card",
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
})));
//////////////////////////////   ZodIBAN   //////////////////////////////
// iso 7064 mod 97-10 checksum without BigInt
function isIso7064Mod97(iban) {
    let remainder = 0;
    const len = iban.length;
    for (let i = 4; i < len; i++) {
        const code = iban.charCodeAt(i);
        remainder = (code >= 65 ? remainder * 100 + (code - 55) : remainder * 10 + (code - 48)) % 97;
    }
    for (let i = 0; i < 4; i++) {
        const code = iban.charCodeAt(i);
        remainder = (code >= 65 ? remainder * 100 + (code - 55) : remainder * 10 + (code - 48)) % 97;
    }
    return remainder === 1;
}
function isValidIBAN(input) {
    if (!regexes.iban.test(input))
        return false;
    return isIso7064Mod97(input);
}
const $ZodIBAN = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodIBAN", (inst, def) => {
    // shape only — checksum is not expressible as a pattern
    def.pattern ?? (def.pattern = regexes.iban);
    $ZodStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        if (isValidIBAN(payload.value))
            return;
        payload.issues.push({
            code: "invalid_format",
            format: "iban",
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
})));
//////////////////////////////   ZodJWT   //////////////////////////////
function isValidJWT(token, algorithm = null) {
    try {
        const tokensParts = token.split(".");
        if (tokensParts.length !== 3)
            return false;
        const [header] = tokensParts;
        if (!header)
            return false;
        // @ts-ignore
        const parsedHeader = JSON.parse(atob(header));
        if ("typ" in parsedHeader && parsedHeader?.typ !== "JWT")
            return false;
        if (!parsedHeader.alg)
            return false;
        if (algorithm && (!("alg" in parsedHeader) || parsedHeader.alg !== algorithm))
            return false;
        return true;
    }
    catch {
        return false;
    }
}
const $ZodJWT = /*@__PURE__*/ $constructor("$ZodJWT", (inst, def) => {
    $ZodStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        if (isValidJWT(payload.value, def.alg))
            return;
        payload.issues.push({
            code: "invalid_format",
            format: "jwt",
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
});
const $ZodCustomStringFormat = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodCustomStringFormat", (inst, def) => {
    $ZodStringFormat.init(inst, def);
    inst._zod.check = (payload) => {
        if (def.fn(payload.value))
            return;
        payload.issues.push({
            code: "invalid_format",
            format: def.format,
            input: payload.value,
            inst,
            continue: !def.abort,
        });
    };
})));
const $ZodNumber = /*@__PURE__*/ $constructor("$ZodNumber", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.pattern = number;
    inst._zod.parse = (payload, _ctx) => {
        if (def.coerce)
            try {
                payload.value = Number(payload.value);
            }
            catch (_) { }
        const input = payload.value;
        if (typeof input === "number" && !Number.isNaN(input) && Number.isFinite(input)) {
            return payload;
        }
        const received = typeof input === "number"
            ? Number.isNaN(input)
                ? "NaN"
                : !Number.isFinite(input)
                    ? String(input)
                    : undefined
            : undefined;
        payload.issues.push({
            expected: "number",
            code: "invalid_type",
            input,
            inst,
            ...(received ? { received } : {}),
        });
        return payload;
    };
});
const $ZodNumberFormat = /*@__PURE__*/ $constructor("$ZodNumberFormat", (inst, def) => {
    $ZodCheckNumberFormat.init(inst, def);
    $ZodNumber.init(inst, def); // no format checks
});
const $ZodBoolean = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodBoolean", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.pattern = regexes.boolean;
    inst._zod.parse = (payload, _ctx) => {
        if (def.coerce)
            try {
                payload.value = Boolean(payload.value);
            }
            catch (_) { }
        const input = payload.value;
        if (typeof input === "boolean")
            return payload;
        payload.issues.push({
            expected: "boolean",
            code: "invalid_type",
            input,
            inst,
        });
        return payload;
    };
})));
const $ZodBigInt = /*@__PURE__*/ $constructor("$ZodBigInt", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.pattern = bigint;
    inst._zod.parse = (payload, _ctx) => {
        if (def.coerce)
            try {
                payload.value = BigInt(payload.value);
            }
            catch (_) { }
        if (typeof payload.value === "bigint")
            return payload;
        payload.issues.push({
            expected: "bigint",
            code: "invalid_type",
            input: payload.value,
            inst,
        });
        return payload;
    };
});
const $ZodBigIntFormat = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodBigIntFormat", (inst, def) => {
    checks.$ZodCheckBigIntFormat.init(inst, def);
    $ZodBigInt.init(inst, def); // no format checks
})));
const $ZodSymbol = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodSymbol", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, _ctx) => {
        const input = payload.value;
        if (typeof input === "symbol")
            return payload;
        payload.issues.push({
            expected: "symbol",
            code: "invalid_type",
            input,
            inst,
        });
        return payload;
    };
})));
const $ZodUndefined = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodUndefined", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.pattern = regexes.undefined;
    inst._zod.values = new Set([undefined]);
    inst._zod.parse = (payload, _ctx) => {
        const input = payload.value;
        if (typeof input === "undefined")
            return payload;
        payload.issues.push({
            expected: "undefined",
            code: "invalid_type",
            input,
            inst,
        });
        return payload;
    };
})));
const $ZodNull = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodNull", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.pattern = regexes.null;
    inst._zod.values = new Set([null]);
    inst._zod.parse = (payload, _ctx) => {
        const input = payload.value;
        if (input === null)
            return payload;
        payload.issues.push({
            expected: "null",
            code: "invalid_type",
            input,
            inst,
        });
        return payload;
    };
})));
const $ZodAny = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodAny", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload) => payload;
})));
const $ZodUnknown = /*@__PURE__*/ $constructor("$ZodUnknown", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload) => payload;
});
const $ZodNever = /*@__PURE__*/ $constructor("$ZodNever", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, _ctx) => {
        payload.issues.push({
            expected: "never",
            code: "invalid_type",
            input: payload.value,
            inst,
        });
        return payload;
    };
});
const $ZodVoid = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodVoid", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, _ctx) => {
        const input = payload.value;
        if (typeof input === "undefined")
            return payload;
        payload.issues.push({
            expected: "void",
            code: "invalid_type",
            input,
            inst,
        });
        return payload;
    };
})));
const $ZodDate = /*@__PURE__*/ $constructor("$ZodDate", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, _ctx) => {
        if (def.coerce) {
            try {
                payload.value = new Date(payload.value);
            }
            catch (_err) { }
        }
        const input = payload.value;
        const isDate = input instanceof Date;
        const isValidDate = isDate && !Number.isNaN(input.getTime());
        if (isValidDate)
            return payload;
        payload.issues.push({
            expected: "date",
            code: "invalid_type",
            input,
            ...(isDate ? { received: "Invalid Date" } : {}),
            inst,
        });
        return payload;
    };
});
// an oversized container fails its leading size checks before any element is parsed
function capSize(inst, size) {
    const caps = sizeCaps(inst._zod.def.checks);
    if (!caps.length)
        return;
    const cap = Math.min(...caps.map((c) => c[0]));
    const parse = inst._zod.parse;
    inst._zod.parse = (payload, ctx) => {
        const n = size(payload.value);
        if (n > cap && !ctx?.skipChecks && ctx?.direction !== "backward") {
            for (const [max, ch] of sizeCaps(inst._zod.def.checks)) {
                if (n > max && ch._zod.def.when(payload)) {
                    const start = payload.issues.length;
                    ch._zod.check(payload);
                    // the value is still the raw input, so no later check may read it
                    payload.issues[start].continue = false;
                    attachSchema(payload.issues, start, inst);
                    return payload;
                }
            }
        }
        return parse(payload, ctx);
    };
}
const arraySize = (input) => (Array.isArray(input) ? input.length : -1);
const mapSize = (input) => (input instanceof Map ? input.size : -1);
const setSize = (input) => (input instanceof Set ? input.size : -1);
function handleArrayResult(result, final, index) {
    if (result.issues.length) {
        final.issues.push(...prefixIssues(index, result.issues));
    }
    final.value[index] = result.value;
}
const $ZodArray = /*@__PURE__*/ $constructor("$ZodArray", (inst, def) => {
    $ZodType.init(inst, def);
    const memo = globalConfig.memoizer;
    memo?.attach(inst);
    inst._zod.parse = (payload, ctx) => {
        const input = payload.value;
        if (!Array.isArray(input)) {
            payload.issues.push({
                expected: "array",
                code: "invalid_type",
                input,
                inst,
            });
            return payload;
        }
        payload.value = memo ? memo.alloc(inst, payload, Array(input.length), ctx) : Array(input.length);
        const proms = [];
        const abortEarly = ctx?.abortEarly;
        for (let i = 0; i < input.length; i++) {
            const item = input[i];
            const result = def.element._zod.run({
                value: item,
                issues: [],
            }, ctx);
            if (result instanceof Promise) {
                proms.push(result.then((result) => handleArrayResult(result, payload, i)));
            }
            else {
                handleArrayResult(result, payload, i);
                // the element's payload is authoritative here, since handleArrayResult forwards every issue; an object's is not, because it drops a failed absent optional
                if (abortEarly && result.issues.length !== 0 && aborted(result))
                    break;
            }
        }
        if (proms.length) {
            return Promise.all(proms).then(() => payload);
        }
        return payload; //handleArrayResultsAsync(parseResults, final);
    };
    capSize(inst, arraySize);
});
function handlePropertyResult(result, final, key, input, optin, optout) {
    const isPresent = key in input;
    const isOptionalOut = optout === "optional";
    // The middle rung means "absence permitted, nothing supplied in its place", so an absent key contributes nothing — whatever the schema made of `undefined` is invented, not substituted. Only `optional` reaches this with a value: `defaulted` substitutes, and a schema that isn't optional-out has to keep the key.
    if (!isPresent && isOptionalOut && optin === "optional") {
        return;
    }
    if (result.issues.length) {
        // For optional-in/out schemas, ignore errors on absent keys.
        if (optin !== undefined && isOptionalOut && !isPresent) {
            return;
        }
        final.issues.push(...prefixIssues(key, result.issues));
    }
    if (!isPresent && optin === undefined) {
        if (!result.issues.length) {
            final.issues.push({
                code: "invalid_type",
                expected: "nonoptional",
                input: undefined,
                path: [key],
            });
        }
        return;
    }
    if (result.value === undefined) {
        if (isPresent || (optin === "defaulted" && !isOptionalOut)) {
            final.value[key] = undefined;
        }
    }
    else {
        final.value[key] = result.value;
    }
}
// one shared instance; a fresh [] per schema cost 56 bytes retained
const NO_SYMBOL_KEYS = [];
function normalizeDef(def) {
    const keys = Object.keys(def.shape);
    const ownSymbols = Object.getOwnPropertySymbols(def.shape);
    const symbolKeys = ownSymbols.length ? ownSymbols : NO_SYMBOL_KEYS;
    // aliases `keys` when there are no symbols, so a string-only shape keeps one array
    const allKeys = symbolKeys.length ? [...keys, ...symbolKeys] : keys;
    for (const k of allKeys) {
        if (!def.shape?.[k]?._zod?.traits?.has("$ZodType")) {
            throw new Error(`Invalid element at key "${String(k)}": expected a Zod schema`);
        }
    }
    const okeys = optionalKeys(def.shape);
    return {
        ...def,
        allKeys,
        symbolKeys,
        // string-only: handleCatchall matches it against `for...in`, which never yields a symbol
        keySet: new Set(keys),
        numKeys: keys.length,
        optionalKeys: new Set(okeys),
    };
}
function handleCatchall(proms, input, payload, ctx, def, inst, abortEarly) {
    const unrecognized = [];
    const keySet = def.keySet;
    const _catchall = def.catchall._zod;
    const t = _catchall.def.type;
    const optin = _catchall.optin;
    const optout = _catchall.optout;
    // starts at 0, not the current length: the shape phase already ran and may have aborted
    let seen = 0;
    for (const key in input) {
        if (abortEarly && payload.issues.length !== seen) {
            if (aborted(payload, seen))
                break;
            seen = payload.issues.length;
        }
        // Must precede the __proto__ branch: a declared key is not unrecognized, even though the shape loop deliberately strips __proto__ from the parsed output.
        if (keySet.has(key))
            continue;
        // Don't copy an undeclared __proto__ into the result; assignment to a plain {} would replace the result prototype. But in strict mode it is still an unknown key, so report it before skipping.
        if (key === "__proto__") {
            if (t === "never")
                unrecognized.push(key);
            continue;
        }
        if (t === "never") {
            unrecognized.push(key);
            continue;
        }
        const r = _catchall.run({ value: input[key], issues: [] }, ctx);
        if (r instanceof Promise) {
            proms.push(r.then((r) => handlePropertyResult(r, payload, key, input, optin, optout)));
        }
        else {
            handlePropertyResult(r, payload, key, input, optin, optout);
        }
    }
    if (unrecognized.length) {
        payload.issues.push({
            code: "unrecognized_keys",
            keys: unrecognized,
            input,
            inst,
            // Describes the shape of the input, not the validity of the parsed value, so it never aborts. The parse still fails; the schema's own checks just get to run first, and an enclosing intersection can reconcile the key against a sibling operand.
            continue: true,
        });
    }
    if (!proms.length)
        return payload;
    return Promise.all(proms).then(() => {
        return payload;
    });
}
const $ZodObject = /*@__PURE__*/ $constructor("$ZodObject", (inst, def) => {
    // requires cast because technically $ZodObject doesn't extend
    $ZodType.init(inst, def);
    const desc = Object.getOwnPropertyDescriptor(def, "shape");
    // a cloned def carries its source's accessor, which knows the shape it answers from; adopting that keeps the clone's keys readable without running it
    const sh = desc?.get ? desc.get.raw : (def.shape ?? {});
    if (sh) {
        // Freezes the shape on first read, so its getters resolve once and every later read sees the same schemas.
        const get = () => {
            const newSh = { ...sh };
            Object.defineProperty(def, "shape", { value: newSh });
            get.raw = newSh;
            return newSh;
        };
        get.raw = sh;
        Object.defineProperty(def, "shape", { get });
    }
    const _normalized = cached(() => normalizeDef(def));
    defineLazyInternal(inst, "propValues", (zod) => {
        const shape = zod.def.shape;
        const propValues = {};
        for (const key in shape) {
            const field = shape[key]._zod;
            if (field.values) {
                if (!Object.prototype.hasOwnProperty.call(propValues, key)) {
                    util_assignProp(propValues, key, new Set());
                }
                for (const v of field.values)
                    propValues[key].add(v);
                // An omittable slot reads back as undefined at a discriminator lookup, so it has to claim undefined: two options that can both omit the key are not discriminable on it.
                if (field.optin !== undefined)
                    propValues[key].add(undefined);
            }
        }
        return propValues;
    });
    const isObject = util_isObject;
    const catchall = def.catchall;
    let value;
    const memo = globalConfig.memoizer;
    memo?.attach(inst);
    inst._zod.parse = (payload, ctx) => {
        value ?? (value = _normalized.value);
        const input = payload.value;
        if (!isObject(input)) {
            payload.issues.push({
                expected: "object",
                code: "invalid_type",
                input,
                inst,
            });
            return payload;
        }
        payload.value = memo ? memo.alloc(inst, payload, {}, ctx) : {};
        const proms = [];
        const shape = value.shape;
        const abortEarly = ctx?.abortEarly;
        let seen = payload.issues.length;
        for (const key of value.allKeys) {
            if (abortEarly && payload.issues.length !== seen) {
                if (aborted(payload, seen))
                    break;
                seen = payload.issues.length;
            }
            if (key === "__proto__")
                continue;
            const el = shape[key];
            const optin = el._zod.optin;
            const optout = el._zod.optout;
            const r = el._zod.run({ value: input[key], issues: [] }, ctx);
            if (r instanceof Promise) {
                proms.push(r.then((r) => handlePropertyResult(r, payload, key, input, optin, optout)));
            }
            else {
                handlePropertyResult(r, payload, key, input, optin, optout);
            }
        }
        if (!catchall) {
            return proms.length ? Promise.all(proms).then(() => payload) : payload;
        }
        return handleCatchall(proms, input, payload, ctx, _normalized.value, inst, abortEarly === true);
    };
});
const $ZodObjectJIT = /*@__PURE__*/ $constructor("$ZodObjectJIT", (inst, def) => {
    // requires cast because technically $ZodObject doesn't extend
    $ZodObject.init(inst, def);
    const superParse = inst._zod.parse;
    const _normalized = cached(() => normalizeDef(def));
    const memo = globalConfig.memoizer;
    const generateFastpass = (shape) => {
        const normalized = _normalized.value;
        const syms = normalized.symbolKeys;
        // a symbol has no source literal, so it is read as `syms[i]` off the closed-over scope
        const doc = new Doc(["payload", "ctx"], { shape, inst, memo, syms });
        const parseStr = (k) => `shape[${k}]._zod.run({ value: input[${k}], issues: [] }, ctx)`;
        // prefixes in place, like util.prefixIssues. newResult must land before the early return: a catchall runs after this and would otherwise write onto the caller's input
        const prefixStr = (id, k) => `
          let ${id}_ab = false;
          for (let i = 0; i < ${id}.issues.length; i++) {
            const iss = ${id}.issues[i];
            iss.path = iss.path ? [${k}, ...iss.path] : [${k}];
            payload.issues.push(iss);
            if (iss.continue !== true) ${id}_ab = true;
          }
          if (${id}_ab && ctx && ctx.abortEarly) {
            payload.value = newResult;
            return payload;
          }`;
        doc.write(`const input = payload.value;`);
        const ids = Object.create(null);
        let counter = 0;
        for (const key of normalized.allKeys) {
            ids[key] = `key_${counter++}`;
        }
        // A: preserve key order {
        doc.write(memo ? `const newResult = memo.alloc(inst, payload, {}, ctx);` : `const newResult = {};`);
        for (const key of normalized.allKeys) {
            if (key === "__proto__")
                continue;
            const id = ids[key];
            const k = typeof key === "symbol" ? `syms[${syms.indexOf(key)}]` : esc(key);
            const isPresent = `${k} in input`;
            const schema = shape[key];
            const optin = schema?._zod?.optin;
            const isOptionalIn = optin !== undefined;
            const isOptionalOut = schema?._zod?.optout === "optional";
            doc.write(`const ${id} = ${parseStr(k)};`);
            if (isOptionalIn && isOptionalOut) {
                // For optional-in/out schemas, ignore errors on absent keys — and, like the interpreted path, drop the value produced alongside them. The middle rung goes further: it permits absence without supplying anything in its place, so an absent key contributes nothing at all.
                const assign = optin === "optional" ? `${id}_present` : `${id}.value !== undefined || ${id}_present`;
                doc.write(`
        const ${id}_present = ${isPresent};
        if (!${id}.issues.length || ${id}_present) {
          if (${id}.issues.length) {${prefixStr(id, k)}
          }

          if (${assign}) {
            newResult[${k}] = ${id}.value;
          }
        }

      `);
            }
            else if (!isOptionalIn) {
                doc.write(`
        const ${id}_present = ${isPresent};
        if (${id}.issues.length) {${prefixStr(id, k)}
        }
        if (!${id}_present && !${id}.issues.length) {
          payload.issues.push({
            code: "invalid_type",
            expected: "nonoptional",
            input: undefined,
            path: [${k}]
          });
          if (ctx && ctx.abortEarly) {
            payload.value = newResult;
            return payload;
          }
        }

        if (${id}_present) {
          newResult[${k}] = ${id}.value;
        }

      `);
            }
            else {
                doc.write(`
        if (${id}.issues.length) {${prefixStr(id, k)}
        }
      `);
                if (optin === "defaulted") {
                    doc.write(`newResult[${k}] = ${id}.value;`);
                }
                else {
                    doc.write(`
        if (${id}.value !== undefined || ${isPresent}) {
          newResult[${k}] = ${id}.value;
        }
      `);
                }
            }
        }
        doc.write(`payload.value = newResult;`);
        doc.write(`return payload;`);
        // closing `shape` in is what pays: turbofan specializes the parser against that one shape object, so every `shape[k]._zod.run` folds to a known callee. as a parameter it stays a generic load and measures 13% slower even with the forwarding frame gone
        return doc.compile();
    };
    let fastpass;
    const isObject = util_isObject;
    const jit = !globalConfig.jitless;
    const allowsEval = util_allowsEval;
    const fastEnabled = jit && allowsEval.value; // && !def.catchall;
    const catchall = def.catchall;
    let value;
    inst._zod.parse = (payload, ctx) => {
        value ?? (value = _normalized.value);
        const input = payload.value;
        if (!isObject(input)) {
            payload.issues.push({
                expected: "object",
                code: "invalid_type",
                input,
                inst,
            });
            return payload;
        }
        if (jit && fastEnabled && ctx?.async === false && ctx.jitless !== true) {
            // always synchronous
            if (!fastpass)
                fastpass = generateFastpass(def.shape);
            payload = fastpass(payload, ctx);
            if (!catchall)
                return payload;
            return handleCatchall([], input, payload, ctx, value, inst, ctx?.abortEarly === true);
        }
        return superParse(payload, ctx);
    };
});
function handleUnionResults(results, final, inst, ctx) {
    for (const result of results) {
        if (result.issues.length === 0) {
            final.value = result.value;
            return final;
        }
    }
    const nonaborted = results.filter((r) => !aborted(r));
    if (nonaborted.length === 1) {
        final.value = nonaborted[0].value;
        return nonaborted[0];
    }
    final.issues.push({
        code: "invalid_union",
        input: final.value,
        inst,
        errors: results.map((result) => result.issues.map((iss) => finalizeIssue(iss, ctx, config()))),
    });
    return final;
}
const $ZodUnion = /*@__PURE__*/ $constructor("$ZodUnion", (inst, def) => {
    $ZodType.init(inst, def);
    defineLazyInternal(inst, "optin", (zod) => zod.def.options.some((o) => o._zod.optin === "defaulted")
        ? "defaulted"
        : zod.def.options.some((o) => o._zod.optin !== undefined)
            ? "optional"
            : undefined);
    defineLazyInternal(inst, "optout", (zod) => zod.def.options.some((o) => o._zod.optout === "optional") ? "optional" : undefined);
    defineLazyInternal(inst, "values", (zod) => {
        if (zod.def.options.every((o) => o._zod.values)) {
            return new Set(zod.def.options.flatMap((option) => Array.from(option._zod.values)));
        }
        return undefined;
    });
    defineLazyInternal(inst, "pattern", (zod) => {
        if (zod.def.options.every((o) => o._zod.pattern)) {
            const patterns = zod.def.options.map((o) => o._zod.pattern);
            return new RegExp(`^(${patterns.map((p) => cleanRegex(p.source)).join("|")})$`);
        }
        return undefined;
    });
    const first = def.options.length === 1 ? def.options[0]._zod.run : null;
    inst._zod.parse = (payload, ctx) => {
        if (first) {
            return first(payload, ctx);
        }
        let async = false;
        const results = [];
        for (const option of def.options) {
            const result = option._zod.run({
                value: payload.value,
                issues: [],
            }, ctx);
            if (result instanceof Promise) {
                results.push(result);
                async = true;
            }
            else {
                if (result.issues.length === 0)
                    return result;
                results.push(result);
            }
        }
        if (!async)
            return handleUnionResults(results, payload, inst, ctx);
        return Promise.all(results).then((results) => {
            return handleUnionResults(results, payload, inst, ctx);
        });
    };
});
function handleExclusiveUnionResults(results, final, inst, ctx) {
    const matches = [];
    for (let i = 0; i < results.length; i++) {
        if (results[i].issues.length === 0)
            matches.push(i);
    }
    if (matches.length === 1) {
        final.value = results[matches[0]].value;
        return final;
    }
    if (matches.length === 0) {
        // No matches - same as regular union
        final.issues.push({
            code: "invalid_union",
            input: final.value,
            inst,
            errors: results.map((result) => result.issues.map((iss) => util.finalizeIssue(iss, ctx, core.config()))),
        });
    }
    else {
        // Multiple matches - exclusive union failure
        final.issues.push({
            code: "invalid_union",
            input: final.value,
            inst,
            errors: [],
            inclusive: false,
            matches,
        });
    }
    return final;
}
const $ZodXor = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodXor", (inst, def) => {
    $ZodUnion.init(inst, def);
    def.inclusive = false;
    const first = def.options.length === 1 ? def.options[0]._zod.run : null;
    inst._zod.parse = (payload, ctx) => {
        if (first) {
            return first(payload, ctx);
        }
        let async = false;
        const results = [];
        for (const option of def.options) {
            const result = option._zod.run({
                value: payload.value,
                issues: [],
            }, ctx);
            if (result instanceof Promise) {
                results.push(result);
                async = true;
            }
            else {
                results.push(result);
            }
        }
        if (!async)
            return handleExclusiveUnionResults(results, payload, inst, ctx);
        return Promise.all(results).then((results) => {
            return handleExclusiveUnionResults(results, payload, inst, ctx);
        });
    };
})));
/** Returns the option whose discriminator claims `value`, or throws if ambiguous. */
function getDiscriminatedOption(union, value) {
    const internals = union._zod;
    let map = internals.bag.optionsMap;
    if (!map) {
        map = discriminatorMap(internals.def);
        internals.bag.optionsMap = map;
    }
    const option = map.get(value);
    if (option === null)
        throw new Error(`Ambiguous discriminator value "${String(value)}"`);
    return option;
}
function discriminatorMap(def) {
    const map = new Map();
    for (const option of def.options) {
        const values = option._zod.propValues?.[def.discriminator];
        if (!values || values.size === 0)
            throw new Error(`Invalid discriminated union option at index "${def.options.indexOf(option)}"`);
        for (const value of values) {
            if (map.has(value)) {
                if (value !== undefined)
                    throw new Error(`Duplicate discriminator value "${String(value)}"`);
                // keep the collision marked so a later member cannot reclaim it
                map.set(value, null);
            }
            else {
                map.set(value, option);
            }
        }
    }
    return map;
}
const $ZodDiscriminatedUnion = 
/*@__PURE__*/
(/* unused pure expression or super */ null && (core.$constructor("$ZodDiscriminatedUnion", (inst, def) => {
    def.inclusive = false;
    $ZodUnion.init(inst, def);
    const _super = inst._zod.parse;
    util.defineLazyInternal(inst, "propValues", (zod) => {
        const propValues = {};
        let undefinedCount = 0;
        for (const option of zod.def.options) {
            const pv = option._zod.propValues;
            if (!pv || Object.keys(pv).length === 0)
                throw new Error(`Invalid discriminated union option at index "${zod.def.options.indexOf(option)}"`);
            if (pv[zod.def.discriminator]?.has(undefined))
                undefinedCount++;
            for (const [k, v] of Object.entries(pv)) {
                if (!Object.prototype.hasOwnProperty.call(propValues, k)) {
                    util.assignProp(propValues, k, new Set());
                }
                for (const val of v) {
                    propValues[k].add(val);
                }
            }
        }
        if (!zod.def.unionFallback && undefinedCount > 1)
            propValues[zod.def.discriminator]?.delete(undefined);
        return propValues;
    });
    // Checked now rather than in the lookup map below, so an option that lacks the discriminator fails at the `discriminatedUnion` call instead of on the first object parsed. Options whose shape cannot be enumerated without resolving it — pipes and lazies — are left to the map.
    def.options.forEach((option, i) => {
        const propShape = util.rawShape(option._zod.def);
        if (propShape && !Object.prototype.hasOwnProperty.call(propShape, def.discriminator)) {
            throw new Error(`Invalid discriminated union option at index "${i}"`);
        }
    });
    const disc = util.cached(() => discriminatorMap(def));
    inst._zod.parse = (payload, ctx) => {
        const input = payload.value;
        if (!util.isObject(input)) {
            payload.issues.push({
                code: "invalid_type",
                expected: "object",
                input,
                inst,
            });
            return payload;
        }
        const value = input?.[def.discriminator];
        const opt = disc.value.get(value);
        // forward metadata cannot choose an encoder for an absent tag
        if (opt && (value !== undefined || ctx.direction !== "backward")) {
            return opt._zod.run(payload, ctx);
        }
        // Fall back to union matching when the fast discriminator path fails:
        // - explicitly enabled via unionFallback, or
        // - during backward direction (encode), since codec-based discriminators have different values in forward vs backward directions
        if (def.unionFallback || ctx.direction === "backward") {
            return _super(payload, ctx);
        }
        // no matching discriminator
        payload.issues.push({
            code: "invalid_union",
            errors: [],
            note: "No matching discriminator",
            discriminator: def.discriminator,
            options: Array.from(disc.value.keys()).filter((value) => disc.value.get(value) !== null),
            input,
            path: [def.discriminator],
            inst,
        });
        return payload;
    };
})));
const $ZodIntersection = /*@__PURE__*/ $constructor("$ZodIntersection", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, ctx) => {
        const input = payload.value;
        const left = def.left._zod.run({ value: input, issues: [] }, ctx);
        const right = def.right._zod.run({ value: input, issues: [] }, ctx);
        const async = left instanceof Promise || right instanceof Promise;
        if (async) {
            return Promise.all([left, right]).then(([left, right]) => {
                return handleIntersectionResults(payload, left, right);
            });
        }
        return handleIntersectionResults(payload, left, right);
    };
});
function mergeValues(a, b) {
    // const aType = parse.t(a);
    // const bType = parse.t(b);
    if (a === b) {
        return { valid: true, data: a };
    }
    if (a instanceof Date && b instanceof Date && +a === +b) {
        return { valid: true, data: a };
    }
    if (isPlainObject(a) && isPlainObject(b)) {
        const bKeys = Object.keys(b);
        const sharedKeys = Object.keys(a).filter((key) => bKeys.indexOf(key) !== -1);
        const newObj = { ...a, ...b };
        if (Object.prototype.hasOwnProperty.call(newObj, "__proto__"))
            delete newObj.__proto__;
        for (const key of sharedKeys) {
            if (key === "__proto__")
                continue;
            const sharedValue = mergeValues(a[key], b[key]);
            if (!sharedValue.valid) {
                return {
                    valid: false,
                    mergeErrorPath: [key, ...sharedValue.mergeErrorPath],
                };
            }
            newObj[key] = sharedValue.data;
        }
        return { valid: true, data: newObj };
    }
    if (Array.isArray(a) && Array.isArray(b)) {
        if (a.length !== b.length) {
            return { valid: false, mergeErrorPath: [] };
        }
        const newArray = [];
        for (let index = 0; index < a.length; index++) {
            const itemA = a[index];
            const itemB = b[index];
            const sharedValue = mergeValues(itemA, itemB);
            if (!sharedValue.valid) {
                return {
                    valid: false,
                    mergeErrorPath: [index, ...sharedValue.mergeErrorPath],
                };
            }
            newArray.push(sharedValue.data);
        }
        return { valid: true, data: newArray };
    }
    return { valid: false, mergeErrorPath: [] };
}
function handleIntersectionResults(result, left, right) {
    // Track which side(s) reject each key. A key rejection is reported only when BOTH sides reject it, so a key owned by one branch survives the other's key schema. strictObject reports these as unrecognized_keys; a record with an open key schema reports one invalid_key per key.
    const unrecKeys = new Map();
    let unrecIssue;
    const keyIssues = new Map();
    const collect = (iss, side) => {
        let keys;
        if (iss.code === "unrecognized_keys" && !iss.path?.length) {
            unrecIssue ?? (unrecIssue = iss);
            keys = iss.keys;
        }
        else if (iss.code === "invalid_key" && iss.origin === "record" && iss.path?.length === 1) {
            const k = String(iss.path[0]);
            if (!keyIssues.has(k))
                keyIssues.set(k, iss);
            keys = [k];
        }
        else {
            return false;
        }
        for (const k of keys) {
            if (!unrecKeys.has(k))
                unrecKeys.set(k, {});
            unrecKeys.get(k)[side] = true;
        }
        return true;
    };
    for (const iss of left.issues) {
        if (!collect(iss, "l"))
            result.issues.push(iss);
    }
    for (const iss of right.issues) {
        if (!collect(iss, "r"))
            result.issues.push(iss);
    }
    // Report only keys rejected by BOTH sides
    const bothKeys = [...unrecKeys].filter(([, f]) => f.l && f.r).map(([k]) => k);
    if (bothKeys.length) {
        const aggregated = unrecIssue ? bothKeys.filter((k) => unrecIssue.keys.includes(k)) : [];
        if (aggregated.length)
            result.issues.push({ ...unrecIssue, keys: aggregated });
        for (const k of bothKeys) {
            if (!aggregated.includes(k) && keyIssues.has(k))
                result.issues.push(keyIssues.get(k));
        }
    }
    const merged = mergeValues(left.value, right.value);
    if (!merged.valid) {
        if (aborted(result))
            return result;
        throw new Error(`Unmergable intersection. Error path: ` + `${JSON.stringify(merged.mergeErrorPath)}`);
    }
    result.value = merged.data;
    return result;
}
const $ZodTuple = /*@__PURE__*/ $constructor("$ZodTuple", (inst, def) => {
    $ZodType.init(inst, def);
    const items = def.items;
    const memo = globalConfig.memoizer;
    memo?.attach(inst);
    inst._zod.parse = (payload, ctx) => {
        const input = payload.value;
        if (!Array.isArray(input)) {
            payload.issues.push({
                input,
                inst,
                expected: "tuple",
                code: "invalid_type",
            });
            return payload;
        }
        payload.value = memo ? memo.alloc(inst, payload, [], ctx) : [];
        const proms = [];
        const optinStart = getTupleOptStart(items, "optin");
        const optoutStart = getTupleOptStart(items, "optout");
        if (!def.rest) {
            if (input.length < optinStart) {
                payload.issues.push({
                    code: "too_small",
                    minimum: optinStart,
                    inclusive: true,
                    input,
                    inst,
                    origin: "array",
                });
                return payload;
            }
            if (input.length > items.length) {
                payload.issues.push({
                    code: "too_big",
                    maximum: items.length,
                    inclusive: true,
                    input,
                    inst,
                    origin: "array",
                });
            }
        }
        // Run every item in parallel, collecting results into an indexed array. The post-processing in `handleTupleResults` walks them in order so it can decide whether an absent optional-output error can truncate the tail or must be reported to preserve required output.
        const itemResults = new Array(items.length);
        // only tracked when there is a rest loop to skip
        const abortEarly = def.rest ? ctx?.abortEarly : undefined;
        let itemAborted = false;
        for (let i = 0; i < items.length; i++) {
            const r = items[i]._zod.run({ value: input[i], issues: [] }, ctx);
            if (r instanceof Promise) {
                proms.push(r.then((rr) => {
                    itemResults[i] = rr;
                }));
            }
            else {
                itemResults[i] = r;
                if (abortEarly && !itemAborted && r.issues.length)
                    itemAborted = aborted(r);
            }
        }
        // sound because rest is non-empty exactly when every fixed index is present, the one case handleTupleResults cannot discard an item's issues
        if (def.rest && !itemAborted) {
            let i = items.length - 1;
            const rest = input.slice(items.length);
            let seen = payload.issues.length;
            for (const el of rest) {
                if (abortEarly && payload.issues.length !== seen) {
                    if (aborted(payload, seen))
                        break;
                    seen = payload.issues.length;
                }
                i++;
                const result = def.rest._zod.run({ value: el, issues: [] }, ctx);
                if (result instanceof Promise) {
                    proms.push(result.then((r) => handleTupleResult(r, payload, i)));
                }
                else {
                    handleTupleResult(result, payload, i);
                }
            }
        }
        if (proms.length) {
            return Promise.all(proms).then(() => handleTupleResults(itemResults, payload, items, input, optoutStart));
        }
        return handleTupleResults(itemResults, payload, items, input, optoutStart);
    };
});
function getTupleOptStart(items, key) {
    for (let i = items.length - 1; i >= 0; i--) {
        // optin is a three-rung ladder so any rung above `undefined` permits an absent slot; optout stays two-valued.
        const omittable = key === "optin" ? items[i]._zod.optin !== undefined : items[i]._zod.optout === "optional";
        if (!omittable)
            return i + 1;
    }
    return 0;
}
function handleTupleResult(result, final, index) {
    if (result.issues.length) {
        final.issues.push(...prefixIssues(index, result.issues));
    }
    final.value[index] = result.value;
}
function handleTupleResults(itemResults, final, items, input, optoutStart) {
    // Walk results in order. Mirror $ZodObject's swallow-on-absent-optional rule, but only after `optoutStart`: the first index where the output tuple tail can be absent.
    for (let i = 0; i < items.length; i++) {
        const r = itemResults[i];
        const isPresent = i < input.length;
        // The array analog of `handlePropertyResult`'s absent-key early return: the middle rung permits absence without supplying anything in its place, so the tail truncates here instead of materializing whatever the item made of `undefined`.
        if (!isPresent && i >= optoutStart && items[i]._zod.optin === "optional") {
            final.value.length = i;
            break;
        }
        if (r.issues.length) {
            if (!isPresent && i >= optoutStart) {
                final.value.length = i;
                break;
            }
            final.issues.push(...prefixIssues(i, r.issues));
        }
        final.value[i] = r.value;
    }
    // Drop trailing slots that produced `undefined` for absent input
    // (the array analog of an absent optional key on an object). The
    // `i >= input.length` floor is critical: an explicit `undefined`
    // *inside* the input must be preserved even when the schema is
    // optional-out (e.g. `z.string().or(z.undefined())` accepting an
    // explicit undefined value).
    for (let i = final.value.length - 1; i >= input.length; i--) {
        if (items[i]._zod.optout === "optional" && final.value[i] === undefined) {
            final.value.length = i;
        }
        else {
            break;
        }
    }
    return final;
}
const $ZodRecord = /*@__PURE__*/ $constructor("$ZodRecord", (inst, def) => {
    $ZodType.init(inst, def);
    const memo = globalConfig.memoizer;
    memo?.attach(inst);
    inst._zod.parse = (payload, ctx) => {
        const input = payload.value;
        if (!isPlainObject(input)) {
            payload.issues.push({
                expected: "record",
                code: "invalid_type",
                input,
                inst,
            });
            return payload;
        }
        // no guard in either loop below: a record's invalid_key aborts but an enclosing intersection can reconcile it, so a stopped loop hides keys the sibling does not own and the intersection then rejects nothing
        const proms = [];
        const values = def.keyType._zod.values;
        if (values && !def.partial) {
            payload.value = memo ? memo.alloc(inst, payload, {}, ctx) : {};
            const recordKeys = new Set();
            for (const key of values) {
                if (typeof key === "string" || typeof key === "number" || typeof key === "symbol") {
                    recordKeys.add(typeof key === "number" ? key.toString() : key);
                    // A declared __proto__ is stripped but is not an unrecognized key.
                    if (key === "__proto__")
                        continue;
                    const keyResult = def.keyType._zod.run({ value: key, issues: [] }, ctx);
                    if (keyResult instanceof Promise) {
                        throw new Error("Async schemas not supported in object keys currently");
                    }
                    if (keyResult.issues.length) {
                        payload.issues.push({
                            code: "invalid_key",
                            origin: "record",
                            issues: keyResult.issues.map((iss) => finalizeIssue(iss, ctx, config())),
                            input: key,
                            path: [key],
                            inst,
                        });
                        continue;
                    }
                    const outKey = keyResult.value;
                    if (outKey === "__proto__")
                        continue;
                    const result = def.valueType._zod.run({ value: input[key], issues: [] }, ctx);
                    if (result instanceof Promise) {
                        proms.push(result.then((result) => {
                            if (result.issues.length) {
                                payload.issues.push(...prefixIssues(key, result.issues));
                            }
                            payload.value[outKey] = result.value;
                        }));
                    }
                    else {
                        if (result.issues.length) {
                            payload.issues.push(...prefixIssues(key, result.issues));
                        }
                        payload.value[outKey] = result.value;
                    }
                }
            }
            let unrecognized;
            for (const key in input) {
                if (!recordKeys.has(key)) {
                    if (def.mode === "loose") {
                        // skip __proto__ so it can't replace the result prototype via the assignment setter on the plain {} we build into
                        if (key === "__proto__")
                            continue;
                        payload.value[key] = input[key];
                    }
                    else {
                        unrecognized = unrecognized ?? [];
                        unrecognized.push(key);
                    }
                }
            }
            if (unrecognized && unrecognized.length > 0) {
                payload.issues.push({
                    code: "unrecognized_keys",
                    input,
                    inst,
                    keys: unrecognized,
                    continue: true,
                });
            }
        }
        else {
            payload.value = memo ? memo.alloc(inst, payload, {}, ctx) : {};
            // An enumerable key schema declares which keys the record owns, so a key outside the set is unrecognized. A non-enumerable one (regex, refine) is a constraint every key must satisfy, so a failing key is invalid. Only the former is reconcilable against the other side of an intersection.
            let unrecognized;
            // Reflect.ownKeys for Symbol-key support; filter non-enumerable to match z.object()
            for (const key of Reflect.ownKeys(input)) {
                if (key === "__proto__")
                    continue;
                if (!Object.prototype.propertyIsEnumerable.call(input, key))
                    continue;
                let keyResult = def.keyType._zod.run({ value: key, issues: [] }, ctx);
                if (keyResult instanceof Promise) {
                    throw new Error("Async schemas not supported in object keys currently");
                }
                // Numeric string fallback: if key is a numeric string and failed, retry with Number(key). This handles z.number(), z.literal([1, 2, 3]), and unions containing numeric literals
                const checkNumericKey = typeof key === "string" && number.test(key) && keyResult.issues.length;
                if (checkNumericKey) {
                    const retryResult = def.keyType._zod.run({ value: Number(key), issues: [] }, ctx);
                    if (retryResult instanceof Promise) {
                        throw new Error("Async schemas not supported in object keys currently");
                    }
                    if (retryResult.issues.length === 0) {
                        keyResult = retryResult;
                    }
                }
                if (keyResult.issues.length) {
                    if (def.mode === "loose") {
                        // Pass through unchanged
                        payload.value[key] = input[key];
                    }
                    else if (values) {
                        unrecognized = unrecognized ?? [];
                        unrecognized.push(key);
                    }
                    else {
                        // Default "strict" behavior: error on invalid key
                        payload.issues.push({
                            code: "invalid_key",
                            origin: "record",
                            issues: keyResult.issues.map((iss) => finalizeIssue(iss, ctx, config())),
                            input: key,
                            path: [key],
                            inst,
                        });
                    }
                    continue;
                }
                // the guard above tests the raw input key, but the key schema can normalize an ordinary key into __proto__; re-check the key we actually write under
                const outKey = keyResult.value;
                if (outKey === "__proto__")
                    continue;
                const result = def.valueType._zod.run({ value: input[key], issues: [] }, ctx);
                if (result instanceof Promise) {
                    proms.push(result.then((result) => {
                        if (result.issues.length) {
                            payload.issues.push(...prefixIssues(key, result.issues));
                        }
                        payload.value[outKey] = result.value;
                    }));
                }
                else {
                    if (result.issues.length) {
                        payload.issues.push(...prefixIssues(key, result.issues));
                    }
                    payload.value[outKey] = result.value;
                }
            }
            if (unrecognized && unrecognized.length > 0) {
                payload.issues.push({
                    code: "unrecognized_keys",
                    input,
                    inst,
                    keys: unrecognized,
                    continue: true,
                });
            }
        }
        if (proms.length) {
            return Promise.all(proms).then(() => payload);
        }
        return payload;
    };
});
const $ZodMap = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodMap", (inst, def) => {
    $ZodType.init(inst, def);
    const memo = core.globalConfig.memoizer;
    memo?.attach(inst);
    inst._zod.parse = (payload, ctx) => {
        const input = payload.value;
        if (!(input instanceof Map)) {
            payload.issues.push({
                expected: "map",
                code: "invalid_type",
                input,
                inst,
            });
            return payload;
        }
        const proms = [];
        payload.value = memo ? memo.alloc(inst, payload, new Map(), ctx) : new Map();
        const abortEarly = ctx?.abortEarly;
        let seen = payload.issues.length;
        for (const [key, value] of input) {
            if (abortEarly && payload.issues.length !== seen) {
                if (util.aborted(payload, seen))
                    break;
                seen = payload.issues.length;
            }
            const keyResult = def.keyType._zod.run({ value: key, issues: [] }, ctx);
            const valueResult = def.valueType._zod.run({ value: value, issues: [] }, ctx);
            if (keyResult instanceof Promise || valueResult instanceof Promise) {
                proms.push(Promise.all([keyResult, valueResult]).then(([keyResult, valueResult]) => {
                    handleMapResult(keyResult, valueResult, payload, key, input, inst, ctx);
                }));
            }
            else {
                handleMapResult(keyResult, valueResult, payload, key, input, inst, ctx);
            }
        }
        if (proms.length)
            return Promise.all(proms).then(() => payload);
        return payload;
    };
    capSize(inst, mapSize);
})));
function handleMapResult(keyResult, valueResult, final, key, input, inst, ctx) {
    if (keyResult.issues.length) {
        if (util.propertyKeyTypes.has(typeof key)) {
            final.issues.push(...util.prefixIssues(key, keyResult.issues));
        }
        else {
            final.issues.push({
                code: "invalid_key",
                origin: "map",
                input,
                inst,
                issues: keyResult.issues.map((iss) => util.finalizeIssue(iss, ctx, core.config())),
            });
        }
    }
    if (valueResult.issues.length) {
        if (util.propertyKeyTypes.has(typeof key)) {
            final.issues.push(...util.prefixIssues(key, valueResult.issues));
        }
        else {
            final.issues.push({
                origin: "map",
                code: "invalid_element",
                input,
                inst,
                key: key,
                issues: valueResult.issues.map((iss) => util.finalizeIssue(iss, ctx, core.config())),
            });
        }
    }
    final.value.set(keyResult.value, valueResult.value);
}
const $ZodSet = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodSet", (inst, def) => {
    $ZodType.init(inst, def);
    const memo = core.globalConfig.memoizer;
    memo?.attach(inst);
    inst._zod.parse = (payload, ctx) => {
        const input = payload.value;
        if (!(input instanceof Set)) {
            payload.issues.push({
                input,
                inst,
                expected: "set",
                code: "invalid_type",
            });
            return payload;
        }
        const proms = [];
        payload.value = memo ? memo.alloc(inst, payload, new Set(), ctx) : new Set();
        const abortEarly = ctx?.abortEarly;
        let seen = payload.issues.length;
        for (const item of input) {
            if (abortEarly && payload.issues.length !== seen) {
                if (util.aborted(payload, seen))
                    break;
                seen = payload.issues.length;
            }
            const result = def.valueType._zod.run({ value: item, issues: [] }, ctx);
            if (result instanceof Promise) {
                proms.push(result.then((result) => handleSetResult(result, payload)));
            }
            else
                handleSetResult(result, payload);
        }
        if (proms.length)
            return Promise.all(proms).then(() => payload);
        return payload;
    };
    capSize(inst, setSize);
})));
function handleSetResult(result, final) {
    if (result.issues.length) {
        final.issues.push(...result.issues);
    }
    final.value.add(result.value);
}
const $ZodEnum = /*@__PURE__*/ $constructor("$ZodEnum", (inst, def) => {
    $ZodType.init(inst, def);
    const values = getEnumValues(def.entries);
    const valuesSet = new Set(values);
    inst._zod.values = valuesSet;
    defineLazyInternal(inst, "pattern", (zod) => {
        const patternValues = getEnumValues(zod.def.entries).filter((k) => propertyKeyTypes.has(typeof k));
        // unmatchable fallback, RE2-safe: an empty alternation would compile to /^()$/, which matches ""
        return new RegExp(patternValues.length ? `^(${patternValues.map((o) => escapeRegex(o.toString())).join("|")})$` : "^[^\\s\\S]$");
    });
    inst._zod.parse = (payload, _ctx) => {
        const input = payload.value;
        if (valuesSet.has(input)) {
            return payload;
        }
        payload.issues.push({
            code: "invalid_value",
            values,
            input,
            inst,
        });
        return payload;
    };
});
const $ZodLiteral = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodLiteral", (inst, def) => {
    $ZodType.init(inst, def);
    const values = new Set(def.values);
    inst._zod.values = values;
    util.defineLazyInternal(inst, "pattern", (zod) => {
        const vals = zod.def.values;
        // unmatchable fallback, RE2-safe: an empty alternation would compile to /^()$/, which matches ""
        return new RegExp(vals.length
            ? `^(${vals
                .map((o) => typeof o === "string" ? util.escapeRegex(o) : o ? util.escapeRegex(o.toString()) : String(o))
                .join("|")})$`
            : "^[^\\s\\S]$");
    });
    inst._zod.parse = (payload, _ctx) => {
        const input = payload.value;
        if (values.has(input)) {
            return payload;
        }
        payload.issues.push({
            code: "invalid_value",
            values: def.values,
            input,
            inst,
        });
        return payload;
    };
})));
const $ZodFile = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodFile", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, _ctx) => {
        const input = payload.value;
        // @ts-ignore
        if (input instanceof File)
            return payload;
        payload.issues.push({
            expected: "file",
            code: "invalid_type",
            input,
            inst,
        });
        return payload;
    };
})));
const $ZodTransform = /*@__PURE__*/ $constructor("$ZodTransform", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.optin = "optional";
    globalConfig.memoizer?.guard(inst);
    inst._zod.parse = (payload, ctx) => {
        if (ctx.direction === "backward") {
            throw new $ZodEncodeError(inst.constructor.name);
        }
        const _out = def.transform(payload.value, payload);
        if (ctx.async) {
            const output = _out instanceof Promise ? _out : Promise.resolve(_out);
            return output.then((output) => {
                payload.value = output;
                return payload;
            });
        }
        if (_out instanceof Promise) {
            throw new $ZodAsyncError();
        }
        payload.value = _out;
        return payload;
    };
});
function handleOptionalResult(payload, result) {
    // A substituting schema that still failed has no usable answer; yield undefined. Its issues are simply dropped: it ran on a payload of its own, so there is no shared array to truncate and nothing of the caller's to lose with it.
    payload.value = result.issues.length ? undefined : result.value;
    return payload;
}
const $ZodOptional = /*@__PURE__*/ $constructor("$ZodOptional", (inst, def) => {
    $ZodType.init(inst, def);
    // .optional() propagates absence rather than substituting for it, so a defaulted inner keeps its rung.
    defineLazyInternal(inst, "optin", (zod) => zod.def.innerType._zod.optin === "defaulted" ? "defaulted" : "optional");
    inst._zod.optout = "optional";
    defineLazyInternal(inst, "values", (zod) => {
        const values = zod.def.innerType._zod.values;
        return values ? new Set([...values, undefined]) : undefined;
    });
    defineLazyInternal(inst, "pattern", (zod) => {
        const pattern = zod.def.innerType._zod.pattern;
        return pattern ? new RegExp(`^(${cleanRegex(pattern.source)})?$`) : undefined;
    });
    inst._zod.parse = (payload, ctx) => {
        if (payload.value === undefined) {
            // Only the top rung substitutes a value for absence; everything else leaves it intact, which is what .optional() means.
            if (def.innerType._zod.optin !== "defaulted")
                return payload;
            // Its own payload, for the same reason $ZodCatch gets one: a pipe forwards an unrecognized key through the caller's issues array, and this must not read that as the substituting schema failing and drop it.
            const result = def.innerType._zod.run({ value: payload.value, issues: [] }, ctx);
            if (result instanceof Promise)
                return result.then((result) => handleOptionalResult(payload, result));
            return handleOptionalResult(payload, result);
        }
        return def.innerType._zod.run(payload, ctx);
    };
});
const $ZodExactOptional = /*@__PURE__*/ $constructor("$ZodExactOptional", (inst, def) => {
    // Call parent init - inherits optin/optout = "optional"
    $ZodOptional.init(inst, def);
    // Override values/pattern to NOT add undefined
    defineLazyInternal(inst, "values", (zod) => zod.def.innerType._zod.values);
    defineLazyInternal(inst, "pattern", (zod) => zod.def.innerType._zod.pattern);
    // Override parse to just delegate (no undefined handling)
    inst._zod.parse = (payload, ctx) => {
        return def.innerType._zod.run(payload, ctx);
    };
});
const $ZodNullable = /*@__PURE__*/ $constructor("$ZodNullable", (inst, def) => {
    $ZodType.init(inst, def);
    defineLazyInternal(inst, "optin", (zod) => zod.def.innerType._zod.optin);
    defineLazyInternal(inst, "optout", (zod) => zod.def.innerType._zod.optout);
    defineLazyInternal(inst, "pattern", (zod) => {
        const pattern = zod.def.innerType._zod.pattern;
        return pattern ? new RegExp(`^(${cleanRegex(pattern.source)}|null)$`) : undefined;
    });
    defineLazyInternal(inst, "values", (zod) => {
        return zod.def.innerType._zod.values ? new Set([...zod.def.innerType._zod.values, null]) : undefined;
    });
    inst._zod.parse = (payload, ctx) => {
        // Forward direction (decode): allow null to pass through
        if (payload.value === null)
            return payload;
        return def.innerType._zod.run(payload, ctx);
    };
});
const $ZodDefault = /*@__PURE__*/ $constructor("$ZodDefault", (inst, def) => {
    $ZodType.init(inst, def);
    // inst._zod.qin = "true";
    inst._zod.optin = "defaulted";
    defineLazyInternal(inst, "values", (zod) => zod.def.innerType._zod.values);
    inst._zod.parse = (payload, ctx) => {
        if (ctx.direction === "backward") {
            return def.innerType._zod.run(payload, ctx);
        }
        // Forward direction (decode): apply defaults for undefined input
        if (payload.value === undefined) {
            payload.value = def.defaultValue;
            /**
             * $ZodDefault returns the default value immediately in forward direction.
             * It doesn't pass the default value into the validator ("prefault"). There's no reason to pass the default value through validation. The validity of the default is enforced by TypeScript statically. Otherwise, it's the responsibility of the user to ensure the default is valid. In the case of pipes with divergent in/out types, you can specify the default on the `in` schema of your ZodPipe to set a "prefault" for the pipe.   */
            return payload;
        }
        // Forward direction: continue with default handling
        const result = def.innerType._zod.run(payload, ctx);
        if (result instanceof Promise) {
            return result.then((result) => handleDefaultResult(result, def));
        }
        return handleDefaultResult(result, def);
    };
});
function handleDefaultResult(payload, def) {
    if (payload.value === undefined) {
        payload.value = def.defaultValue;
    }
    return payload;
}
const $ZodPrefault = /*@__PURE__*/ $constructor("$ZodPrefault", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.optin = "defaulted";
    defineLazyInternal(inst, "values", (zod) => zod.def.innerType._zod.values);
    inst._zod.parse = (payload, ctx) => {
        if (ctx.direction === "backward") {
            return def.innerType._zod.run(payload, ctx);
        }
        // Forward direction (decode): apply prefault for undefined input
        if (payload.value === undefined) {
            payload.value = def.defaultValue;
        }
        return def.innerType._zod.run(payload, ctx);
    };
});
const $ZodNonOptional = /*@__PURE__*/ $constructor("$ZodNonOptional", (inst, def) => {
    $ZodType.init(inst, def);
    defineLazyInternal(inst, "values", (zod) => {
        const v = zod.def.innerType._zod.values;
        return v ? new Set([...v].filter((x) => x !== undefined)) : undefined;
    });
    inst._zod.parse = (payload, ctx) => {
        const result = def.innerType._zod.run(payload, ctx);
        if (result instanceof Promise) {
            return result.then((result) => handleNonOptionalResult(result, inst));
        }
        return handleNonOptionalResult(result, inst);
    };
});
function handleNonOptionalResult(payload, inst) {
    if (!payload.issues.length && payload.value === undefined) {
        payload.issues.push({
            code: "invalid_type",
            expected: "nonoptional",
            input: payload.value,
            inst,
        });
    }
    return payload;
}
const $ZodSuccess = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodSuccess", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, ctx) => {
        if (ctx.direction === "backward") {
            throw new core.$ZodEncodeError("ZodSuccess");
        }
        const result = def.innerType._zod.run(payload, ctx);
        if (result instanceof Promise) {
            return result.then((result) => {
                payload.value = result.issues.length === 0;
                return payload;
            });
        }
        payload.value = result.issues.length === 0;
        return payload;
    };
})));
function handleCatchResult(payload, result, def, ctx) {
    if (!result.issues.length) {
        payload.value = result.value;
        // The value carries up, so the flag describing it has to carry with it: a back-edge into a node still being parsed must not be frozen by an enclosing readonly, and its checks belong to the node itself. Guarded so the ordinary case adds no own property.
        if (result.memo)
            payload.memo = true;
        return payload;
    }
    // Spread the inner's own payload, not ours: `value` has to stay the input the catch was handed, and the inner ran on a payload of its own so its issues are already private to this call.
    payload.value = def.catchValue({
        ...result,
        value: payload.value,
        error: {
            issues: result.issues.map((iss) => finalizeIssue(iss, ctx, config())),
        },
        input: payload.value,
    });
    return payload;
}
const $ZodCatch = /*@__PURE__*/ $constructor("$ZodCatch", (inst, def) => {
    $ZodType.init(inst, def);
    defineLazyInternal(inst, "optin", (zod) => zod.def.innerType._zod.optin === "defaulted" ? "defaulted" : "optional");
    defineLazyInternal(inst, "optout", (zod) => zod.def.innerType._zod.optout);
    defineLazyInternal(inst, "values", (zod) => zod.def.innerType._zod.values);
    inst._zod.parse = (payload, ctx) => {
        if (ctx.direction === "backward") {
            return def.innerType._zod.run(payload, ctx);
        }
        // Forward direction (decode): apply catch logic
        const result = def.innerType._zod.run({ value: payload.value, issues: [] }, ctx);
        if (result instanceof Promise) {
            return result.then((result) => handleCatchResult(payload, result, def, ctx));
        }
        return handleCatchResult(payload, result, def, ctx);
    };
});
const $ZodNaN = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodNaN", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, _ctx) => {
        if (typeof payload.value !== "number" || !Number.isNaN(payload.value)) {
            payload.issues.push({
                input: payload.value,
                inst,
                expected: "nan",
                code: "invalid_type",
            });
            return payload;
        }
        return payload;
    };
})));
const $ZodPipe = /*@__PURE__*/ $constructor("$ZodPipe", (inst, def) => {
    $ZodType.init(inst, def);
    defineLazyInternal(inst, "values", (zod) => zod.def.in._zod.values);
    defineLazyInternal(inst, "optin", (zod) => zod.def.in._zod.optin);
    defineLazyInternal(inst, "optout", (zod) => zod.def.out._zod.optout);
    defineLazyInternal(inst, "propValues", (zod) => zod.def.in._zod.propValues);
    inst._zod.parse = (payload, ctx) => {
        if (ctx.direction === "backward") {
            const right = def.out._zod.run(payload, ctx);
            if (right instanceof Promise) {
                return right.then((right) => handlePipeResult(right, def.in, ctx));
            }
            return handlePipeResult(right, def.in, ctx);
        }
        const left = def.in._zod.run(payload, ctx);
        if (left instanceof Promise) {
            return left.then((left) => handlePipeResult(left, def.out, ctx));
        }
        return handlePipeResult(left, def.out, ctx);
    };
});
function handlePipeResult(left, next, ctx) {
    // Any issue stops the pipe, so a failing refinement never feeds its transform. An unrecognized key is the exception: it describes the input's extra properties, not the value being piped, and an enclosing intersection may yet reconcile it.
    if (left.issues.some((iss) => iss.code !== "unrecognized_keys")) {
        // prevent further checks
        left.aborted = true;
        return left;
    }
    return next._zod.run({ value: left.value, issues: left.issues }, ctx);
}
const $ZodCodec = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodCodec", (inst, def) => {
    $ZodType.init(inst, def);
    util.defineLazyInternal(inst, "values", (zod) => zod.def.in._zod.values);
    util.defineLazyInternal(inst, "optin", (zod) => zod.def.in._zod.optin);
    util.defineLazyInternal(inst, "optout", (zod) => zod.def.out._zod.optout);
    util.defineLazyInternal(inst, "propValues", (zod) => zod.def.in._zod.propValues);
    inst._zod.parse = (payload, ctx) => {
        const direction = ctx.direction || "forward";
        if (direction === "forward") {
            const left = def.in._zod.run(payload, ctx);
            if (left instanceof Promise) {
                return left.then((left) => handleCodecAResult(left, def, ctx));
            }
            return handleCodecAResult(left, def, ctx);
        }
        else {
            const right = def.out._zod.run(payload, ctx);
            if (right instanceof Promise) {
                return right.then((right) => handleCodecAResult(right, def, ctx));
            }
            return handleCodecAResult(right, def, ctx);
        }
    };
})));
function handleCodecAResult(result, def, ctx) {
    if (result.issues.length) {
        // prevent further checks
        result.aborted = true;
        return result;
    }
    const direction = ctx.direction || "forward";
    if (direction === "forward") {
        const transformed = def.transform(result.value, result);
        if (transformed instanceof Promise) {
            return transformed.then((value) => handleCodecTxResult(result, value, def.out, ctx));
        }
        return handleCodecTxResult(result, transformed, def.out, ctx);
    }
    else {
        const transformed = def.reverseTransform(result.value, result);
        if (transformed instanceof Promise) {
            return transformed.then((value) => handleCodecTxResult(result, value, def.in, ctx));
        }
        return handleCodecTxResult(result, transformed, def.in, ctx);
    }
}
function handleCodecTxResult(left, value, nextSchema, ctx) {
    // Check if transform added any issues
    if (left.issues.length) {
        left.aborted = true;
        return left;
    }
    return nextSchema._zod.run({ value, issues: left.issues }, ctx);
}
const $ZodPreprocess = /*@__PURE__*/ $constructor("$ZodPreprocess", (inst, def) => {
    $ZodPipe.init(inst, def);
});
const $ZodReadonly = /*@__PURE__*/ $constructor("$ZodReadonly", (inst, def) => {
    $ZodType.init(inst, def);
    defineLazyInternal(inst, "propValues", (zod) => zod.def.innerType._zod.propValues);
    defineLazyInternal(inst, "values", (zod) => zod.def.innerType._zod.values);
    defineLazyInternal(inst, "optin", (zod) => zod.def.innerType?._zod?.optin);
    defineLazyInternal(inst, "optout", (zod) => zod.def.innerType?._zod?.optout);
    inst._zod.parse = (payload, ctx) => {
        if (ctx.direction === "backward") {
            return def.innerType._zod.run(payload, ctx);
        }
        const result = def.innerType._zod.run(payload, ctx);
        if (result instanceof Promise) {
            return result.then(handleReadonlyResult);
        }
        return handleReadonlyResult(result);
    };
});
function handleReadonlyResult(payload) {
    // A repeat visit hands back a node that is still being built; freezing it here would make the rest of its keys fail to assign.
    if (!payload.memo)
        payload.value = Object.freeze(payload.value);
    return payload;
}
// a leaf's pattern source with its own checks folded in: the last pattern-carrying check wins, else length bounds narrow the catch-all, else an integer format narrows the number form. the fold lives here instead of on `_zod.pattern` so a bundle without template literals never pays for it
function leafPattern(schema) {
    const def = schema._zod.def;
    let pattern = def.pattern;
    let isInt = !!def.format?.includes("int");
    let minimum;
    let maximum;
    for (const ch of def.checks ?? []) {
        const d = ch._zod.def;
        if (d.pattern)
            pattern = d.pattern;
        isInt || (isInt = !!d.format?.includes("int"));
        const lo = d.minimum ?? d.length;
        const hi = d.maximum ?? d.length;
        if (lo !== undefined && (minimum === undefined || lo > minimum))
            minimum = lo;
        if (hi !== undefined && (maximum === undefined || hi < maximum))
            maximum = hi;
    }
    if (pattern)
        return pattern.source;
    // an empty range matches nothing at runtime, and `{8,5}` is not a legal quantifier
    if (minimum !== undefined && maximum !== undefined && minimum > maximum)
        return "(?!)";
    if (minimum !== undefined || maximum !== undefined)
        return regexes.string({ minimum, maximum }).source;
    const own = schema._zod.pattern;
    return (isInt && own === regexes.number ? regexes.integer : own)?.source;
}
// a part's pattern source. a wrapper's pattern embeds its inner pattern's source verbatim, so the folded form is substituted in place without knowing the wrapper's own composition; a union's options are joined the way the union builds its own pattern
function partPattern(schema) {
    const def = schema._zod.def;
    const own = schema._zod.pattern?.source;
    // lazy resolves its inner on the internals, not the def
    const inner = def.innerType ?? schema._zod.innerType;
    if (inner) {
        const before = inner._zod.pattern?.source;
        const after = partPattern(inner);
        if (own && before && after && after !== before) {
            return own.replace(util.cleanRegex(before), () => util.cleanRegex(after));
        }
        return own;
    }
    if (def.options) {
        const sources = def.options.map(partPattern);
        if (sources.every(Boolean))
            return `^(${sources.map((s) => util.cleanRegex(s)).join("|")})$`;
    }
    return leafPattern(schema);
}
const $ZodTemplateLiteral = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodTemplateLiteral", (inst, def) => {
    $ZodType.init(inst, def);
    const regexParts = [];
    for (const part of def.parts) {
        if (typeof part === "object" && part !== null) {
            // is Zod schema
            const source = partPattern(part);
            if (!source) {
                throw new Error(`Invalid template literal part, no pattern found: ${[...part._zod.traits].shift()}`);
            }
            regexParts.push(util.cleanRegex(source));
        }
        else if (part === null || util.primitiveTypes.has(typeof part)) {
            regexParts.push(util.escapeRegex(`${part}`));
        }
        else {
            throw new Error(`Invalid template literal part: ${part}`);
        }
    }
    inst._zod.pattern = new RegExp(`^${regexParts.join("")}$`);
    inst._zod.parse = (payload, _ctx) => {
        if (typeof payload.value !== "string") {
            payload.issues.push({
                input: payload.value,
                inst,
                expected: "string",
                code: "invalid_type",
            });
            return payload;
        }
        inst._zod.pattern.lastIndex = 0;
        if (!inst._zod.pattern.test(payload.value)) {
            payload.issues.push({
                input: payload.value,
                inst,
                code: "invalid_format",
                format: def.format ?? "template_literal",
                pattern: inst._zod.pattern.source,
            });
            return payload;
        }
        return payload;
    };
})));
const $ZodFunction = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodFunction", (inst, def) => {
    $ZodType.init(inst, def);
    // Defined, not assigned: the classic prototype exposes `_def` as a getter with no setter.
    Object.defineProperty(inst, "_def", { value: def });
    inst._zod.def = def;
    inst.implement = (func) => {
        if (typeof func !== "function") {
            throw new Error("implement() must be called with a function");
        }
        // Defined inline so the closure stays anonymous: binding it to a `const` first names it, which costs 256 bytes per implemented function.
        return Object.defineProperty(function (...args) {
            const parsedArgs = inst._def.input ? parse(inst._def.input, args) : args;
            const result = Reflect.apply(func, this, parsedArgs);
            if (inst._def.output) {
                return parse(inst._def.output, result);
            }
            return result;
        }, "_zod", { value: inst._zod, enumerable: false });
    };
    inst.implementAsync = (func) => {
        if (typeof func !== "function") {
            throw new Error("implementAsync() must be called with a function");
        }
        return Object.defineProperty(async function (...args) {
            const parsedArgs = inst._def.input ? await parseAsync(inst._def.input, args) : args;
            const result = await Reflect.apply(func, this, parsedArgs);
            if (inst._def.output) {
                return await parseAsync(inst._def.output, result);
            }
            return result;
        }, "_zod", { value: inst._zod, enumerable: false });
    };
    inst._zod.parse = (payload, _ctx) => {
        if (typeof payload.value !== "function") {
            payload.issues.push({
                code: "invalid_type",
                expected: "function",
                input: payload.value,
                inst,
            });
            return payload;
        }
        // Check if output is a promise type to determine if we should use async implementation
        const hasPromiseOutput = inst._def.output && inst._def.output._zod.def.type === "promise";
        if (hasPromiseOutput) {
            payload.value = inst.implementAsync(payload.value);
        }
        else {
            payload.value = inst.implement(payload.value);
        }
        return payload;
    };
    inst.input = (...args) => {
        const F = inst.constructor;
        if (Array.isArray(args[0])) {
            return new F({
                type: "function",
                input: new $ZodTuple({
                    type: "tuple",
                    items: args[0],
                    rest: args[1],
                }),
                output: inst._def.output,
            });
        }
        return new F({
            type: "function",
            input: args[0],
            output: inst._def.output,
        });
    };
    inst.output = (output) => {
        const F = inst.constructor;
        return new F({
            type: "function",
            input: inst._def.input,
            output,
        });
    };
    return inst;
})));
const $ZodPromise = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodPromise", (inst, def) => {
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, ctx) => {
        return Promise.resolve(payload.value).then((inner) => def.innerType._zod.run({ value: inner, issues: [] }, ctx));
    };
})));
const $ZodLazy = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("$ZodLazy", (inst, def) => {
    $ZodType.init(inst, def);
    // Cache the resolved inner type on the shared `def` so all clones of this lazy (e.g. via `.describe()`/`.meta()`) share the same inner instance, preserving identity for cycle detection on recursive schemas.
    util.defineLazy(inst._zod, "innerType", () => {
        const d = def;
        if (!d._cachedInner)
            d._cachedInner = def.getter();
        return d._cachedInner;
    });
    util.defineLazyInternal(inst, "pattern", (zod) => zod.innerType?._zod?.pattern);
    util.defineLazyInternal(inst, "propValues", (zod) => zod.innerType?._zod?.propValues);
    util.defineLazyInternal(inst, "optin", (zod) => zod.innerType?._zod?.optin ?? undefined);
    util.defineLazyInternal(inst, "optout", (zod) => zod.innerType?._zod?.optout ?? undefined);
    inst._zod.parse = (payload, ctx) => {
        const inner = inst._zod.innerType;
        return inner._zod.run(payload, ctx);
    };
})));
const $ZodCustom = /*@__PURE__*/ $constructor("$ZodCustom", (inst, def) => {
    $ZodCheck.init(inst, def);
    $ZodType.init(inst, def);
    inst._zod.parse = (payload, _) => {
        return payload;
    };
    inst._zod.check = (payload) => {
        const input = payload.value;
        const r = def.fn(input);
        if (r instanceof Promise) {
            return r.then((r) => handleRefineResult(r, payload, input, inst));
        }
        handleRefineResult(r, payload, input, inst);
        return;
    };
});
function handleRefineResult(result, payload, input, inst) {
    if (!result) {
        const _iss = {
            code: "custom",
            input,
            inst, // incorporates params.error into issue reporting
            path: [...(inst._zod.def.path ?? [])], // incorporates params.error into issue reporting
            continue: !inst._zod.def.abort,
            // params: inst._zod.def.params,
        };
        if (inst._zod.def.params)
            _iss.params = inst._zod.def.params;
        payload.issues.push(util_issue(_iss));
    }
}

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/registries.js
var registries_a;
const $output = /*@__PURE__*/ (/* unused pure expression or super */ null && (Symbol("ZodOutput")));
const $input = /*@__PURE__*/ (/* unused pure expression or super */ null && (Symbol("ZodInput")));
class $ZodRegistry {
    constructor() {
        this._map = new WeakMap();
        this._idmap = new Map();
    }
    add(schema, ..._meta) {
        const meta = _meta[0];
        this._map.set(schema, meta);
        if (meta && typeof meta === "object" && "id" in meta) {
            this._idmap.set(meta.id, schema);
        }
        return this;
    }
    clear() {
        this._map = new WeakMap();
        this._idmap = new Map();
        return this;
    }
    remove(schema) {
        const meta = this._map.get(schema);
        if (meta && typeof meta === "object" && "id" in meta) {
            this._idmap.delete(meta.id);
        }
        this._map.delete(schema);
        return this;
    }
    get(schema) {
        // return this._map.get(schema) as any;
        // inherit metadata
        const p = schema._zod.parent;
        if (p) {
            const pm = { ...(this.get(p) ?? {}) };
            delete pm.id; // do not inherit id
            const f = { ...pm, ...this._map.get(schema) };
            return Object.keys(f).length ? f : undefined;
        }
        return this._map.get(schema);
    }
    has(schema) {
        return this._map.has(schema);
    }
}
// registries
function registry() {
    return new $ZodRegistry();
}
(registries_a = globalThis).__zod_globalRegistry ?? (registries_a.__zod_globalRegistry = registry());
const globalRegistry = globalThis.__zod_globalRegistry;

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/api.js




function snapshotChecks(def) {
    if (def.checks)
        def.checks = [...def.checks];
    return def;
}
// @__NO_SIDE_EFFECTS__
function _string(Class, params) {
    return new Class(snapshotChecks({ type: "string", ...normalizeParams(params) }));
}
// @__NO_SIDE_EFFECTS__
function _coercedString(Class, params) {
    return new Class(snapshotChecks({ type: "string", coerce: true, ...util.normalizeParams(params) }));
}
// @__NO_SIDE_EFFECTS__
function _email(Class, params) {
    return new Class({
        type: "string",
        format: "email",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _guid(Class, params) {
    return new Class({
        type: "string",
        format: "guid",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _uuid(Class, params) {
    return new Class({
        type: "string",
        format: "uuid",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _uuidv4(Class, params) {
    return new Class({
        type: "string",
        format: "uuid",
        check: "string_format",
        abort: false,
        version: "v4",
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _uuidv6(Class, params) {
    return new Class({
        type: "string",
        format: "uuid",
        check: "string_format",
        abort: false,
        version: "v6",
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _uuidv7(Class, params) {
    return new Class({
        type: "string",
        format: "uuid",
        check: "string_format",
        abort: false,
        version: "v7",
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _url(Class, params) {
    return new Class({
        type: "string",
        format: "url",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function api_emoji(Class, params) {
    return new Class({
        type: "string",
        format: "emoji",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _nanoid(Class, params) {
    return new Class({
        type: "string",
        format: "nanoid",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
/**
 * @deprecated CUID v1 is deprecated by its authors due to information leakage
 * (timestamps embedded in the id). Use {@link _cuid2} instead.
 * See https://github.com/paralleldrive/cuid.
 */
// @__NO_SIDE_EFFECTS__
function _cuid(Class, params) {
    return new Class({
        type: "string",
        format: "cuid",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _cuid2(Class, params) {
    return new Class({
        type: "string",
        format: "cuid2",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _ulid(Class, params) {
    return new Class({
        type: "string",
        format: "ulid",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _xid(Class, params) {
    return new Class({
        type: "string",
        format: "xid",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _ksuid(Class, params) {
    return new Class({
        type: "string",
        format: "ksuid",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _ipv4(Class, params) {
    return new Class({
        type: "string",
        format: "ipv4",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _ipv6(Class, params) {
    return new Class({
        type: "string",
        format: "ipv6",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _mac(Class, params) {
    return new Class({
        type: "string",
        format: "mac",
        check: "string_format",
        abort: false,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _cidrv4(Class, params) {
    return new Class({
        type: "string",
        format: "cidrv4",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _cidrv6(Class, params) {
    return new Class({
        type: "string",
        format: "cidrv6",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _base64(Class, params) {
    return new Class({
        type: "string",
        format: "base64",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _base64url(Class, params) {
    return new Class({
        type: "string",
        format: "base64url",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _e164(Class, params) {
    return new Class({
        type: "string",
        format: "e164",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _creditCard(Class, params) {
    return new Class({
        type: "string",
        format: "credit_card",
        check: "string_format",
        abort: false,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _iban(Class, params) {
    return new Class({
        type: "string",
        format: "iban",
        check: "string_format",
        abort: false,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _jwt(Class, params) {
    return new Class({
        type: "string",
        format: "jwt",
        check: "string_format",
        abort: false,
        ...normalizeParams(params),
    });
}
const TimePrecision = {
    Any: null,
    Minute: -1,
    Second: 0,
    Millisecond: 3,
    Microsecond: 6,
};
// @__NO_SIDE_EFFECTS__
function _isoDateTime(Class, params) {
    return new Class({
        type: "string",
        format: "datetime",
        check: "string_format",
        offset: false,
        local: false,
        precision: null,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _isoDate(Class, params) {
    return new Class({
        type: "string",
        format: "date",
        check: "string_format",
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _isoTime(Class, params) {
    return new Class({
        type: "string",
        format: "time",
        check: "string_format",
        precision: null,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _isoDuration(Class, params) {
    return new Class({
        type: "string",
        format: "duration",
        check: "string_format",
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _number(Class, params) {
    return new Class(snapshotChecks({ type: "number", checks: [], ...util.normalizeParams(params) }));
}
// @__NO_SIDE_EFFECTS__
function _coercedNumber(Class, params) {
    return new Class(snapshotChecks({ type: "number", coerce: true, checks: [], ...util.normalizeParams(params) }));
}
// @__NO_SIDE_EFFECTS__
function _int(Class, params) {
    return new Class({
        type: "number",
        check: "number_format",
        abort: false,
        format: "safeint",
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _float32(Class, params) {
    return new Class({
        type: "number",
        check: "number_format",
        abort: false,
        format: "float32",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _float64(Class, params) {
    return new Class({
        type: "number",
        check: "number_format",
        abort: false,
        format: "float64",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _int32(Class, params) {
    return new Class({
        type: "number",
        check: "number_format",
        abort: false,
        format: "int32",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _uint32(Class, params) {
    return new Class({
        type: "number",
        check: "number_format",
        abort: false,
        format: "uint32",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _boolean(Class, params) {
    return new Class({
        type: "boolean",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _coercedBoolean(Class, params) {
    return new Class({
        type: "boolean",
        coerce: true,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _bigint(Class, params) {
    return new Class({
        type: "bigint",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _coercedBigint(Class, params) {
    return new Class({
        type: "bigint",
        coerce: true,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _int64(Class, params) {
    return new Class({
        type: "bigint",
        check: "bigint_format",
        abort: false,
        format: "int64",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _uint64(Class, params) {
    return new Class({
        type: "bigint",
        check: "bigint_format",
        abort: false,
        format: "uint64",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _symbol(Class, params) {
    return new Class({
        type: "symbol",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function api_undefined(Class, params) {
    return new Class({
        type: "undefined",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function api_null(Class, params) {
    return new Class({
        type: "null",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _any(Class) {
    return new Class({
        type: "any",
    });
}
// @__NO_SIDE_EFFECTS__
function _unknown(Class) {
    return new Class({
        type: "unknown",
    });
}
// @__NO_SIDE_EFFECTS__
function _never(Class, params) {
    return new Class({
        type: "never",
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _void(Class, params) {
    return new Class({
        type: "void",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _date(Class, params) {
    return new Class({
        type: "date",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _coercedDate(Class, params) {
    return new Class({
        type: "date",
        coerce: true,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _nan(Class, params) {
    return new Class({
        type: "nan",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _lt(value, params) {
    return new $ZodCheckLessThan({
        check: "less_than",
        ...normalizeParams(params),
        value,
        inclusive: false,
    });
}
// @__NO_SIDE_EFFECTS__
function _lte(value, params) {
    return new $ZodCheckLessThan({
        check: "less_than",
        ...normalizeParams(params),
        value,
        inclusive: true,
    });
}

// @__NO_SIDE_EFFECTS__
function _gt(value, params) {
    return new $ZodCheckGreaterThan({
        check: "greater_than",
        ...normalizeParams(params),
        value,
        inclusive: false,
    });
}
// @__NO_SIDE_EFFECTS__
function _gte(value, params) {
    return new $ZodCheckGreaterThan({
        check: "greater_than",
        ...normalizeParams(params),
        value,
        inclusive: true,
    });
}

// @__NO_SIDE_EFFECTS__
function _positive(params) {
    return _gt(0, params);
}
// negative
// @__NO_SIDE_EFFECTS__
function _negative(params) {
    return _lt(0, params);
}
// nonpositive
// @__NO_SIDE_EFFECTS__
function _nonpositive(params) {
    return _lte(0, params);
}
// nonnegative
// @__NO_SIDE_EFFECTS__
function _nonnegative(params) {
    return _gte(0, params);
}
// @__NO_SIDE_EFFECTS__
function _multipleOf(value, params) {
    return new $ZodCheckMultipleOf({
        check: "multiple_of",
        ...normalizeParams(params),
        value,
    });
}
// @__NO_SIDE_EFFECTS__
function _maxSize(maximum, params) {
    return new checks.$ZodCheckMaxSize({
        check: "max_size",
        ...util.normalizeParams(params),
        maximum,
    });
}
// @__NO_SIDE_EFFECTS__
function _minSize(minimum, params) {
    return new checks.$ZodCheckMinSize({
        check: "min_size",
        ...util.normalizeParams(params),
        minimum,
    });
}
// @__NO_SIDE_EFFECTS__
function _size(size, params) {
    return new checks.$ZodCheckSizeEquals({
        check: "size_equals",
        ...util.normalizeParams(params),
        size,
    });
}
// @__NO_SIDE_EFFECTS__
function _maxLength(maximum, params) {
    const ch = new $ZodCheckMaxLength({
        check: "max_length",
        ...normalizeParams(params),
        maximum,
    });
    return ch;
}
// @__NO_SIDE_EFFECTS__
function _minLength(minimum, params) {
    return new $ZodCheckMinLength({
        check: "min_length",
        ...normalizeParams(params),
        minimum,
    });
}
// @__NO_SIDE_EFFECTS__
function _length(length, params) {
    return new $ZodCheckLengthEquals({
        check: "length_equals",
        ...normalizeParams(params),
        length,
    });
}
// @__NO_SIDE_EFFECTS__
function _regex(pattern, params) {
    return new $ZodCheckRegex({
        check: "string_format",
        format: "regex",
        ...normalizeParams(params),
        pattern,
    });
}
// @__NO_SIDE_EFFECTS__
function _lowercase(params) {
    return new $ZodCheckLowerCase({
        check: "string_format",
        format: "lowercase",
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _uppercase(params) {
    return new $ZodCheckUpperCase({
        check: "string_format",
        format: "uppercase",
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _includes(includes, params) {
    return new $ZodCheckIncludes({
        check: "string_format",
        format: "includes",
        ...normalizeParams(params),
        includes,
    });
}
// @__NO_SIDE_EFFECTS__
function _startsWith(prefix, params) {
    return new $ZodCheckStartsWith({
        check: "string_format",
        format: "starts_with",
        ...normalizeParams(params),
        prefix,
    });
}
// @__NO_SIDE_EFFECTS__
function _endsWith(suffix, params) {
    return new $ZodCheckEndsWith({
        check: "string_format",
        format: "ends_with",
        ...normalizeParams(params),
        suffix,
    });
}
// @__NO_SIDE_EFFECTS__
function _property(property, schema, params) {
    return new checks.$ZodCheckProperty({
        check: "property",
        property,
        schema,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _properties(shape, params) {
    return new $ZodCheckProperties({
        check: "properties",
        shape,
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _mime(types, params) {
    return new checks.$ZodCheckMimeType({
        check: "mime_type",
        mime: types,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _overwrite(tx) {
    return new $ZodCheckOverwrite({
        check: "overwrite",
        tx,
    });
}
// normalize
// @__NO_SIDE_EFFECTS__
function _normalize(form) {
    return _overwrite((input) => input.normalize(form));
}
// trim
// @__NO_SIDE_EFFECTS__
function _trim() {
    return _overwrite((input) => input.trim());
}
// toLowerCase
// @__NO_SIDE_EFFECTS__
function _toLowerCase() {
    return _overwrite((input) => input.toLowerCase());
}
// toUpperCase
// @__NO_SIDE_EFFECTS__
function _toUpperCase() {
    return _overwrite((input) => input.toUpperCase());
}
// slugify
// @__NO_SIDE_EFFECTS__
function _slugify() {
    return _overwrite((input) => slugify(input));
}
// @__NO_SIDE_EFFECTS__
function _array(Class, element, params) {
    return new Class({
        type: "array",
        element,
        // get element() {
        //   return element;
        // },
        ...normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _union(Class, options, params) {
    return new Class({
        type: "union",
        options,
        ...util.normalizeParams(params),
    });
}
function _xor(Class, options, params) {
    return new Class({
        type: "union",
        options,
        inclusive: false,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _discriminatedUnion(Class, discriminator, options, params) {
    return new Class({
        type: "union",
        options: options,
        discriminator,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _intersection(Class, left, right) {
    return new Class({
        type: "intersection",
        left,
        right,
    });
}
// export function _tuple(
//   Class: util.SchemaClass<schemas.$ZodTuple>,
//   items: [],
//   params?: string | $ZodTupleParams
// ): schemas.$ZodTuple<[], null>;
// @__NO_SIDE_EFFECTS__
function _tuple(Class, items, _paramsOrRest, _params) {
    const hasRest = _paramsOrRest instanceof schemas.$ZodType;
    const params = hasRest ? _params : _paramsOrRest;
    const rest = hasRest ? _paramsOrRest : null;
    return new Class({
        type: "tuple",
        items,
        rest,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _record(Class, keyType, valueType, params) {
    return new Class({
        type: "record",
        keyType,
        valueType,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _map(Class, keyType, valueType, params) {
    return new Class({
        type: "map",
        keyType,
        valueType,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _set(Class, valueType, params) {
    return new Class({
        type: "set",
        valueType,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _enum(Class, values, params) {
    const entries = Array.isArray(values) ? Object.fromEntries(values.map((v) => [v, v])) : values;
    // if (Array.isArray(values)) {
    //   for (const value of values) {
    //     entries[value] = value;
    //   }
    // } else {
    //   Object.assign(entries, values);
    // }
    // const entries: util.EnumLike = {};
    // for (const val of values) {
    //   entries[val] = val;
    // }
    return new Class({
        type: "enum",
        entries,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
/** @deprecated This API has been merged into `z.enum()`. Use `z.enum()` instead.
 *
 * ```ts
 * enum Colors { red, green, blue }
 * z.enum(Colors);
 * ```
 */
function _nativeEnum(Class, entries, params) {
    return new Class({
        type: "enum",
        entries,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _literal(Class, value, params) {
    return new Class({
        type: "literal",
        values: Array.isArray(value) ? value : [value],
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _file(Class, params) {
    return new Class({
        type: "file",
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _transform(Class, fn) {
    return new Class({
        type: "transform",
        transform: fn,
    });
}
// @__NO_SIDE_EFFECTS__
function _optional(Class, innerType) {
    return new Class({
        type: "optional",
        innerType,
    });
}
// @__NO_SIDE_EFFECTS__
function _nullable(Class, innerType) {
    return new Class({
        type: "nullable",
        innerType,
    });
}
// @__NO_SIDE_EFFECTS__
function _default(Class, innerType, defaultValue) {
    return new Class({
        type: "default",
        innerType,
        get defaultValue() {
            return typeof defaultValue === "function" ? defaultValue() : util.shallowClone(defaultValue);
        },
    });
}
// @__NO_SIDE_EFFECTS__
function _nonoptional(Class, innerType, params) {
    return new Class({
        type: "nonoptional",
        innerType,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _success(Class, innerType) {
    return new Class({
        type: "success",
        innerType,
    });
}
// @__NO_SIDE_EFFECTS__
function _catch(Class, innerType, catchValue) {
    return new Class({
        type: "catch",
        innerType,
        catchValue: (typeof catchValue === "function" ? catchValue : util.constantCatch(catchValue)),
    });
}
// @__NO_SIDE_EFFECTS__
function _pipe(Class, in_, out) {
    return new Class({
        type: "pipe",
        in: in_,
        out,
    });
}
// @__NO_SIDE_EFFECTS__
function _readonly(Class, innerType) {
    return new Class({
        type: "readonly",
        innerType,
    });
}
// @__NO_SIDE_EFFECTS__
function _templateLiteral(Class, parts, params) {
    return new Class({
        type: "template_literal",
        parts,
        ...util.normalizeParams(params),
    });
}
// @__NO_SIDE_EFFECTS__
function _lazy(Class, getter) {
    return new Class({
        type: "lazy",
        getter,
    });
}
// @__NO_SIDE_EFFECTS__
function _promise(Class, innerType) {
    return new Class({
        type: "promise",
        innerType,
    });
}
// @__NO_SIDE_EFFECTS__
function _custom(Class, fn, _params) {
    const norm = util.normalizeParams(_params);
    norm.abort ?? (norm.abort = true); // default to abort:false
    const schema = new Class({
        type: "custom",
        check: "custom",
        fn: fn,
        ...norm,
    });
    return schema;
}
// same as _custom but defaults to abort:false
// @__NO_SIDE_EFFECTS__
function _refine(Class, fn, _params) {
    const schema = new Class({
        type: "custom",
        check: "custom",
        fn: fn,
        ...normalizeParams(_params),
    });
    return schema;
}
// @__NO_SIDE_EFFECTS__
function _superRefine(fn, params) {
    const ch = _check((payload) => {
        payload.addIssue = (issue) => {
            if (typeof issue === "string") {
                payload.issues.push(util_issue(issue, payload.value, ch._zod.def));
            }
            else {
                // for Zod 3 backwards compatibility
                const _issue = issue;
                if (_issue.fatal)
                    _issue.continue = false;
                _issue.code ?? (_issue.code = "custom");
                if (!("input" in _issue))
                    _issue.input = payload.value;
                _issue.inst ?? (_issue.inst = ch);
                _issue.continue ?? (_issue.continue = !ch._zod.def.abort); // abort is always undefined, so this is always true...
                payload.issues.push(util_issue(_issue));
            }
        };
        return fn(payload.value, payload);
    }, params);
    return ch;
}
// @__NO_SIDE_EFFECTS__
function _check(fn, params) {
    const ch = new $ZodCheck({
        check: "custom",
        ...normalizeParams(params),
    });
    ch._zod.check = fn;
    return ch;
}
// @__NO_SIDE_EFFECTS__
function describe(description) {
    const ch = new $ZodCheck({ check: "describe" });
    ch._zod.onattach = [
        (inst) => {
            const existing = globalRegistry.get(inst) ?? {};
            globalRegistry.add(inst, { ...existing, description });
        },
    ];
    ch._zod.check = () => { }; // no-op check
    return ch;
}
// @__NO_SIDE_EFFECTS__
function meta(metadata) {
    const ch = new $ZodCheck({ check: "meta" });
    ch._zod.onattach = [
        (inst) => {
            const existing = globalRegistry.get(inst) ?? {};
            globalRegistry.add(inst, { ...existing, ...metadata });
        },
    ];
    ch._zod.check = () => { }; // no-op check
    return ch;
}
// @__NO_SIDE_EFFECTS__
function _stringbool(Classes, _params) {
    const params = util.normalizeParams(_params);
    let truthyArray = params.truthy ?? ["true", "1", "yes", "on", "y", "enabled"];
    let falsyArray = params.falsy ?? ["false", "0", "no", "off", "n", "disabled"];
    if (params.case !== "sensitive") {
        truthyArray = truthyArray.map((v) => (typeof v === "string" ? v.toLowerCase() : v));
        falsyArray = falsyArray.map((v) => (typeof v === "string" ? v.toLowerCase() : v));
    }
    const truthySet = new Set(truthyArray);
    const falsySet = new Set(falsyArray);
    const _Codec = Classes.Codec ?? schemas.$ZodCodec;
    const _Boolean = Classes.Boolean ?? schemas.$ZodBoolean;
    const _String = Classes.String ?? schemas.$ZodString;
    const stringSchema = new _String({ type: "string", error: params.error });
    const booleanSchema = new _Boolean({ type: "boolean", error: params.error });
    const codec = new _Codec({
        type: "pipe",
        in: stringSchema,
        out: booleanSchema,
        transform: ((input, payload) => {
            let data = input;
            if (params.case !== "sensitive")
                data = data.toLowerCase();
            if (truthySet.has(data)) {
                return true;
            }
            else if (falsySet.has(data)) {
                return false;
            }
            else {
                payload.issues.push({
                    code: "invalid_value",
                    expected: "stringbool",
                    values: [...truthySet, ...falsySet],
                    input: payload.value,
                    inst: codec,
                    continue: false,
                });
                return {};
            }
        }),
        reverseTransform: ((input, _payload) => {
            if (input === true) {
                return truthyArray[0] || "true";
            }
            else {
                return falsyArray[0] || "false";
            }
        }),
        error: params.error,
    });
    codec._zod.bag.truthy = truthyArray;
    codec._zod.bag.falsy = falsyArray;
    codec._zod.bag.case = params.case ?? "insensitive";
    return codec;
}
// @__NO_SIDE_EFFECTS__
function _stringFormat(Class, format, fnOrRegex, _params = {}) {
    const params = util.normalizeParams(_params);
    const def = {
        check: "string_format",
        type: "string",
        format,
        fn: typeof fnOrRegex === "function" ? fnOrRegex : (val) => fnOrRegex.test(val),
        ...params,
    };
    if (fnOrRegex instanceof RegExp) {
        def.pattern = fnOrRegex;
    }
    const inst = new Class(def);
    return inst;
}

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/to-json-schema.js


function assignProps(target, ...sources) {
    for (const source of sources) {
        for (const key of Reflect.ownKeys(source)) {
            if (Object.prototype.propertyIsEnumerable.call(source, key)) {
                util_assignProp(target, key, source[key]);
            }
        }
    }
    return target;
}
// function initializeContext<T extends schemas.$ZodType>(inputs: JSONSchemaGeneratorParams<T>): ToJSONSchemaContext<T> {
//   return {
//     processor: inputs.processor,
//     metadataRegistry: inputs.metadata ?? globalRegistry,
//     target: inputs.target ?? "draft-2020-12",
//     unrepresentable: inputs.unrepresentable ?? "throw",
//   };
// }
function to_json_schema_initializeContext(params) {
    // Normalize target: convert old non-hyphenated versions to hyphenated versions
    let target = params?.target ?? "draft-2020-12";
    if (target === "draft-4")
        target = "draft-04";
    if (target === "draft-7")
        target = "draft-07";
    return {
        processors: params.processors ?? {},
        metadataRegistry: params?.metadata ?? globalRegistry,
        target,
        unrepresentable: params?.unrepresentable ?? "throw",
        override: params?.override ?? (() => { }),
        io: params?.io ?? "output",
        counter: 0,
        seen: new Map(),
        sharedDefsExtractedFor: undefined,
        sharedEmitDoneFor: undefined,
        cycles: params?.cycles ?? "ref",
        reused: params?.reused ?? "inline",
        intersections: [],
        deferred: [],
        external: params?.external ?? undefined,
    };
}
/**
 * Applies the `unrepresentable` setting at a site that has no JSON Schema equivalent. Throws
 * `message` unless the setting (or the handler's return value) says otherwise. Returns `true` if a
 * custom JSON Schema was written into `json`, in which case the caller must not write its own.
 */
function handleUnrepresentable(schema, ctx, json, params, message) {
    const result = typeof ctx.unrepresentable === "function"
        ? ctx.unrepresentable({ zodSchema: schema, path: params.path, message })
        : ctx.unrepresentable;
    if (result === "any")
        return false;
    if (result === undefined || result === "throw")
        throw new Error(message);
    Object.assign(json, result);
    return true;
}
// never rename this back to `process`: bundler polyfills inject a top-level `const process` that a lexical declaration of the same name collides with (#6397)
function to_json_schema_processSchema(schema, ctx, _params = { path: [], schemaPath: [] }) {
    var _a;
    const def = schema._zod.def;
    // check for schema in seens
    const seen = ctx.seen.get(schema);
    if (seen) {
        seen.count++;
        // check if cycle
        const isCycle = _params.schemaPath.includes(schema);
        if (isCycle) {
            seen.cycle = _params.path;
        }
        return seen.schema;
    }
    // initialize
    const result = { schema: {}, count: 1, cycle: undefined, path: _params.path };
    ctx.seen.set(schema, result);
    ctx.sharedDefsExtractedFor = undefined;
    ctx.sharedEmitDoneFor = undefined;
    // custom method overrides default behavior
    const overrideSchema = schema._zod.toJSONSchema?.();
    if (overrideSchema) {
        result.schema = overrideSchema;
    }
    else {
        const params = {
            ..._params,
            schemaPath: [..._params.schemaPath, schema],
            path: _params.path,
        };
        if (schema._zod.processJSONSchema) {
            schema._zod.processJSONSchema(ctx, result.schema, params);
        }
        else {
            const _json = result.schema;
            const processor = ctx.processors[def.type];
            if (!processor) {
                throw new Error(`[toJSONSchema]: Non-representable type encountered: ${def.type}`);
            }
            processor(schema, ctx, _json, params);
        }
        const parent = schema._zod.parent;
        if (parent) {
            // Also set ref if processor didn't (for inheritance)
            if (!result.ref)
                result.ref = parent;
            to_json_schema_processSchema(parent, ctx, params);
            ctx.seen.get(parent).isParent = true;
        }
    }
    // metadata
    const meta = ctx.metadataRegistry.get(schema);
    if (meta)
        assignProps(result.schema, meta);
    if (ctx.io === "input" && isTransforming(schema)) {
        // examples/defaults only apply to output type of pipe
        delete result.schema.examples;
        delete result.schema.default;
    }
    // set prefault as default
    if (ctx.io === "input" && "_prefault" in result.schema)
        (_a = result.schema).default ?? (_a.default = result.schema._prefault);
    delete result.schema._prefault;
    // pulling fresh from ctx.seen in case it was overwritten
    const _result = ctx.seen.get(schema);
    return _result.schema;
}
/** @deprecated Renamed to `processSchema`. An export alias declares no binding, so it is safe to keep. */

// Escape a reference token for use in a JSON Pointer fragment (RFC 6901): `~` becomes `~0` and `/` becomes `~1`. The `~` replacement must run first.
function encodeJSONPointerSegment(segment) {
    return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}
function to_json_schema_extractDefs(ctx, schema
// params: EmitParams
) {
    // iterate over seen map;
    const root = ctx.seen.get(schema);
    if (!root)
        throw new Error("Unprocessed schema. This is a bug in Zod.");
    // With `external` set, every registered schema resolves through the external branch of `makeURI`, so the root branch below produces the same ref the external branch would — this pass is identical whichever schema it is called with, and only needs to run once.
    if (ctx.external && ctx.sharedDefsExtractedFor === ctx.external)
        return;
    // Track ids to detect duplicates across different schemas
    const idToSchema = new Map();
    for (const entry of ctx.seen.entries()) {
        const id = ctx.metadataRegistry.get(entry[0])?.id;
        if (id) {
            const existing = idToSchema.get(id);
            if (existing && existing !== entry[0]) {
                throw new Error(`Duplicate schema id "${id}" detected during JSON Schema conversion. Two different schemas cannot share the same id when converted together.`);
            }
            idToSchema.set(id, entry[0]);
        }
    }
    // returns a ref to the schema defId will be empty if the ref points to an external schema (or #)
    const makeURI = (entry) => {
        // comparing the seen objects because sometimes multiple schemas map to the same seen object. e.g. lazy
        // external is configured
        const defsSegment = ctx.target === "draft-2020-12" ? "$defs" : "definitions";
        if (ctx.external) {
            const externalId = ctx.external.registry.get(entry[0])?.id; // ?? "__shared";// `__schema${ctx.counter++}`;
            // check if schema is in the external registry
            const uriGenerator = ctx.external.uri ?? ((id) => id);
            if (externalId) {
                return { ref: uriGenerator(externalId) };
            }
            // otherwise, add to __shared
            const id = entry[1].defId ?? entry[1].schema.id ?? `schema${ctx.counter++}`;
            entry[1].defId = id; // set defId so it will be reused if needed
            return { defId: id, ref: `${uriGenerator("__shared")}#/${defsSegment}/${encodeJSONPointerSegment(id)}` };
        }
        const uriPrefix = `#`;
        const defUriPrefix = `${uriPrefix}/${defsSegment}/`;
        // an id-less root has nowhere to be extracted to, so it stays inline and self-references as `#`
        if (entry[1] === root && !entry[1].schema.id) {
            return { ref: uriPrefix };
        }
        // self-contained schema
        const defId = entry[1].schema.id ?? `__schema${ctx.counter++}`;
        return { defId, ref: defUriPrefix + encodeJSONPointerSegment(defId) };
    };
    // stored cached version in `def` property remove all properties, set $ref
    const extractToDef = (entry) => {
        // if the schema is already a reference, do not extract it
        if (entry[1].schema.$ref) {
            return;
        }
        const seen = entry[1];
        const { ref, defId } = makeURI(entry);
        seen.def = { ...seen.schema };
        // defId won't be set if the schema is a reference to an external schema or if the schema is the root schema
        if (defId)
            seen.defId = defId;
        // wipe away all properties except $ref
        const schema = seen.schema;
        for (const key in schema) {
            delete schema[key];
        }
        schema.$ref = ref;
    };
    // throw on cycles
    // break cycles
    if (ctx.cycles === "throw") {
        for (const entry of ctx.seen.entries()) {
            const seen = entry[1];
            if (seen.cycle) {
                throw new Error("Cycle detected: " +
                    `#/${seen.cycle?.join("/")}/<root>` +
                    '\n\nSet the `cycles` parameter to `"ref"` to resolve cyclical schemas with defs.');
            }
        }
    }
    // extract schemas into $defs
    for (const entry of ctx.seen.entries()) {
        const seen = entry[1];
        // convert root schema to # $ref
        if (schema === entry[0]) {
            extractToDef(entry); // this has special handling for the root schema
            continue;
        }
        // extract schemas that are in the external registry
        if (ctx.external) {
            const ext = ctx.external.registry.get(entry[0])?.id;
            if (schema !== entry[0] && ext) {
                extractToDef(entry);
                continue;
            }
        }
        // extract schemas with `id` meta
        const id = ctx.metadataRegistry.get(entry[0])?.id;
        if (id) {
            extractToDef(entry);
            continue;
        }
        // break cycles
        if (seen.cycle) {
            // any
            extractToDef(entry);
            continue;
        }
        // extract reused schemas
        if (seen.count > 1) {
            if (ctx.reused === "ref") {
                extractToDef(entry);
            }
        }
    }
    if (ctx.external)
        ctx.sharedDefsExtractedFor = ctx.external;
}
/** Rewrites `anyOf: [{type: "a"}, {type: "b"}]` to `type: ["a", "b"]`, which every JSON Schema draft treats as equivalent and most consumers render far better for the nullable case. Only branches that are a bare type assertion qualify — anything carrying a constraint, `$ref`, `const` or metadata is left alone. Runs after `flattenRef`, so a branch an override decorated or `$defs` extraction turned into a `$ref` is no longer bare and correctly stays in `anyOf`. `oneOf` is excluded: `integer` and `number` overlap, so "exactly one" and "at least one" are not the same there. OpenAPI 3.0 is excluded: its `type` must be a single string. */
function compactTypeUnion(schema) {
    const options = schema.anyOf;
    if (!Array.isArray(options) || options.length === 0 || schema.type !== undefined)
        return;
    const types = [];
    for (const option of options) {
        if (!option || typeof option !== "object")
            return;
        // A branch that is itself a compactible union folds into this one — nested `anyOf` and a flat `type` array say the same thing. Compacting it first also makes the result independent of the order this pass walks the seen map in.
        compactTypeUnion(option);
        const keys = Object.keys(option);
        if (keys.length !== 1 || keys[0] !== "type")
            return;
        const type = option.type;
        for (const member of Array.isArray(type) ? type : [type]) {
            if (typeof member !== "string")
                return;
            if (!types.includes(member))
                types.push(member);
        }
    }
    delete schema.anyOf;
    // A `type` array must be non-empty and unique (metaschema); a single member is spelled as a bare string.
    schema.type = types.length === 1 ? types[0] : types;
}
/** Keywords `foldIntersection` knows how to combine. Anything else — `$ref`, `patternProperties`,
 * an annotation like `description` — makes a member unfoldable, so a constraint this does not
 * understand leaves the `allOf` alone instead of being silently dropped or misattributed. */
const FOLDABLE_KEYS = new Set(["type", "properties", "required", "additionalProperties"]);
const UNION_KEYS = ["oneOf", "anyOf"];
/** A member's constraint on a key it does not declare itself. A `catchall` states one; `false`, an absent `additionalProperties`, and the empty schema a loose object emits state nothing. */
function undeclaredConstraint(member) {
    const extra = member.additionalProperties;
    if (extra === undefined || extra === false || typeof extra !== "object" || extra === null)
        return null;
    return Object.keys(extra).length ? extra : null;
}
/** Combines object members into the single object they describe together, or returns `null` if any of them carries a keyword outside {@link FOLDABLE_KEYS}. */
function foldObjects(members) {
    const objects = [];
    for (const member of members) {
        // A boolean subschema is legal JSON Schema and carries no keywords to fold.
        if (typeof member !== "object" || member.type !== "object")
            return null;
        for (const key in member) {
            if (!FOLDABLE_KEYS.has(key))
                return null;
        }
        objects.push(member);
    }
    const properties = {};
    const required = new Set();
    for (const object of objects) {
        for (const key in object.properties) {
            // `in` would report a `__proto__` key as already present via the prototype chain and skip it.
            if (Object.prototype.hasOwnProperty.call(properties, key))
                continue;
            // Every member constrains this key: the ones that declare it say how, and a `catchall` member constrains it too even though it does not name it. The key has to satisfy all of them, which is the same intersection one level down.
            const parts = [];
            for (const other of objects) {
                const part = other.properties?.[key] ?? undeclaredConstraint(other);
                if (part === null || part === undefined)
                    continue;
                if (!parts.some((seen) => JSON.stringify(seen) === JSON.stringify(part)))
                    parts.push(part);
            }
            const merged = parts.length === 1
                ? parts[0]
                : (foldObjects(parts) ?? { allOf: parts });
            util_assignProp(properties, key, merged);
        }
        for (const key of object.required ?? [])
            required.add(key);
    }
    const folded = { type: "object", properties };
    if (required.size)
        folded.required = [...required];
    // A key no member declares is rejected only when every member rejects it, so the fold is closed only when every member is. Otherwise it carries whatever the `catchall` members demand of such a key.
    if (objects.every((object) => object.additionalProperties === false)) {
        folded.additionalProperties = false;
    }
    else {
        const constraints = [];
        for (const object of objects) {
            const constraint = undeclaredConstraint(object);
            if (constraint && !constraints.some((seen) => JSON.stringify(seen) === JSON.stringify(constraint)))
                constraints.push(constraint);
        }
        if (constraints.length === 1)
            folded.additionalProperties = constraints[0];
        else if (constraints.length > 1)
            folded.additionalProperties = { allOf: constraints };
    }
    return folded;
}
/** `additionalProperties` in an `allOf` member sees only that member's own `properties`, so two
 * closed object members reject each other's keys and the schema validates nothing. Zod's parser
 * pools the key sets instead — `handleIntersectionResults` reports a key as unrecognized only when
 * *every* side rejects it — so the emitted schema has to pool them too, and folding the members
 * into one object is the encoding that says so on every target.
 *
 * This runs from `finalize`, after `extractDefs`, which is what keeps it clear of the `$ref`
 * machinery: a member extracted into `$defs` is already a `$ref` by now and declines to fold, so it
 * keeps its reference and its own closedness rather than being inlined as a stale copy. */
function foldIntersection(json) {
    const allOf = json.allOf;
    if (!Array.isArray(allOf) || allOf.length < 2)
        return;
    // An `override` runs before this pass and may have written object keywords onto the intersection itself. Those are deliberate, so decline rather than overwrite them.
    for (const key of FOLDABLE_KEYS)
        if (key in json)
            return;
    // An intersection distributes over a union: `A & (X | Y)` is `(A & X) | (A & Y)`. Only the first union is distributed over; a second one stays among the members every branch folds against, where it fails the object check and declines the whole intersection rather than multiplying out.
    const unions = allOf.filter((m) => UNION_KEYS.some((k) => Array.isArray(m[k])));
    let folded = null;
    if (!unions.length) {
        folded = foldObjects(allOf);
    }
    else {
        const union = unions[0];
        const keyword = UNION_KEYS.find((k) => Array.isArray(union[k]));
        if (Object.keys(union).length !== 1)
            return;
        const rest = allOf.filter((m) => m !== union);
        const branches = union[keyword].map((branch) => foldObjects([...rest, branch]));
        if (branches.some((b) => !b))
            return;
        folded = { [keyword]: branches };
    }
    if (!folded)
        return;
    delete json.allOf;
    assignProps(json, folded);
}
function to_json_schema_finalize(ctx, schema) {
    const root = ctx.seen.get(schema);
    if (!root)
        throw new Error("Unprocessed schema. This is a bug in Zod.");
    // flatten refs - inherit properties from parent schemas
    const flattenRef = (zodSchema) => {
        const seen = ctx.seen.get(zodSchema);
        // already processed
        if (seen.ref === null)
            return;
        const schema = seen.def ?? seen.schema;
        const _cached = { ...schema };
        const ref = seen.ref;
        seen.ref = null; // prevent infinite recursion
        if (ref) {
            flattenRef(ref);
            const refSeen = ctx.seen.get(ref);
            const refSchema = refSeen.schema;
            // merge referenced schema into current
            if (refSchema.$ref && (ctx.target === "draft-07" || ctx.target === "draft-04" || ctx.target === "openapi-3.0")) {
                // older drafts can't combine $ref with other properties
                schema.allOf = schema.allOf ?? [];
                schema.allOf.push(refSchema);
            }
            else {
                assignProps(schema, refSchema);
            }
            // restore child's own properties (child wins)
            assignProps(schema, _cached);
            const isParentRef = zodSchema._zod.parent === ref;
            // For parent chain, child is a refinement - remove parent-only properties
            if (isParentRef) {
                for (const key in schema) {
                    if (key === "$ref" || key === "allOf")
                        continue;
                    if (!(key in _cached)) {
                        delete schema[key];
                    }
                }
            }
            // When ref was extracted to $defs, remove properties that match the definition
            if (refSchema.$ref && refSeen.def) {
                for (const key in schema) {
                    if (key === "$ref" || key === "allOf")
                        continue;
                    if (key in refSeen.def && JSON.stringify(schema[key]) === JSON.stringify(refSeen.def[key])) {
                        delete schema[key];
                    }
                }
            }
        }
        // If parent was extracted (has $ref), propagate $ref to this schema. This handles cases like: readonly().meta({id}).describe() where processor sets ref to innerType but parent should be referenced
        const parent = zodSchema._zod.parent;
        if (parent && parent !== ref) {
            // Ensure parent is processed first so its def has inherited properties
            flattenRef(parent);
            const parentSeen = ctx.seen.get(parent);
            if (parentSeen?.schema.$ref) {
                schema.$ref = parentSeen.schema.$ref;
                // De-duplicate with parent's definition
                if (parentSeen.def) {
                    for (const key in schema) {
                        if (key === "$ref" || key === "allOf")
                            continue;
                        if (key in parentSeen.def && JSON.stringify(schema[key]) === JSON.stringify(parentSeen.def[key])) {
                            delete schema[key];
                        }
                    }
                }
            }
        }
        // execute overrides
        ctx.override({
            zodSchema: zodSchema,
            jsonSchema: schema,
            path: seen.path ?? [],
        });
    };
    // Flattening walks the whole map and clears each `ref` as it goes, so a second call over the same map is a no-op scan. Skip it outright once it has run for a registry conversion.
    if (!ctx.external || ctx.sharedEmitDoneFor !== ctx.external) {
        for (const entry of [...ctx.seen.entries()].reverse()) {
            flattenRef(entry[0]);
        }
        if (ctx.target !== "openapi-3.0") {
            for (const entry of ctx.seen.entries()) {
                compactTypeUnion(entry[1].def ?? entry[1].schema);
            }
        }
        for (const rewrite of ctx.deferred)
            rewrite();
        // After flattening, every member that was extracted is a `$ref`, so the fold sees the final shape. A schema that inherits an intersection — through `z.lazy`, or any `ref` chain — holds the same `allOf` array, so fold by array identity to catch every copy.
        if (ctx.intersections.length) {
            const carriers = new Map();
            for (const seen of ctx.seen.values()) {
                for (const json of [seen.schema, seen.def]) {
                    const allOf = json?.allOf;
                    if (!Array.isArray(allOf))
                        continue;
                    const existing = carriers.get(allOf);
                    if (existing)
                        existing.push(json);
                    else
                        carriers.set(allOf, [json]);
                }
            }
            for (const allOf of ctx.intersections) {
                for (const json of carriers.get(allOf) ?? [])
                    foldIntersection(json);
            }
        }
    }
    const result = {};
    if (ctx.target === "draft-2020-12") {
        result.$schema = "https://json-schema.org/draft/2020-12/schema";
    }
    else if (ctx.target === "draft-07") {
        result.$schema = "http://json-schema.org/draft-07/schema#";
    }
    else if (ctx.target === "draft-04") {
        result.$schema = "http://json-schema.org/draft-04/schema#";
    }
    else if (ctx.target === "openapi-3.0") {
        // OpenAPI 3.0 schema objects should not include a $schema property
    }
    else {
        // Arbitrary string values are allowed but won't have a $schema property set
    }
    if (ctx.external?.uri) {
        const id = ctx.external.registry.get(schema)?.id;
        if (!id)
            throw new Error("Schema is missing an `id` property");
        result.$id = ctx.external.uri(id);
    }
    // when the root was extracted into $defs, `root.schema` is the `$ref` wrapper and `root.def` is the body that now lives under $defs
    assignProps(result, root.defId ? root.schema : (root.def ?? root.schema));
    // The `id` in `.meta()` is a Zod-specific registration tag used to extract schemas into $defs — it is not user-facing JSON Schema metadata. Strip it from the output body where it would otherwise leak. The id is preserved implicitly via the $defs key (and via $ref paths).
    const rootMetaId = ctx.metadataRegistry.get(schema)?.id;
    if (rootMetaId !== undefined && result.id === rootMetaId)
        delete result.id;
    // build defs object. With `external`, `defs` is the shared object every schema writes into, so the same entries are reassigned on every call. Without it, `defs` is fresh per call and must be rebuilt.
    const defs = ctx.external?.defs ?? {};
    if (!ctx.external || ctx.sharedEmitDoneFor !== ctx.external) {
        for (const entry of ctx.seen.entries()) {
            const seen = entry[1];
            if (seen.def && seen.defId) {
                if (seen.def.id === seen.defId)
                    delete seen.def.id;
                util_assignProp(defs, seen.defId, seen.def);
            }
        }
    }
    if (ctx.external)
        ctx.sharedEmitDoneFor = ctx.external;
    // set definitions in result
    if (ctx.external) {
    }
    else {
        if (Object.keys(defs).length > 0) {
            if (ctx.target === "draft-2020-12") {
                result.$defs = defs;
            }
            else {
                result.definitions = defs;
            }
        }
    }
    try {
        // this "finalizes" this schema and ensures all cycles are removed each call to finalize() is functionally independent though the seen map is shared
        const finalized = JSON.parse(JSON.stringify(result));
        Object.defineProperty(finalized, "~standard", {
            value: {
                ...schema["~standard"],
                jsonSchema: {
                    input: createStandardJSONSchemaMethod(schema, "input", ctx.processors),
                    output: createStandardJSONSchemaMethod(schema, "output", ctx.processors),
                },
            },
            enumerable: false,
            writable: false,
        });
        return finalized;
    }
    catch (_err) {
        throw new Error("Error converting schema to JSON.");
    }
}
function isTransforming(_schema, _ctx) {
    const ctx = _ctx ?? { seen: new Set() };
    if (ctx.seen.has(_schema))
        return false;
    ctx.seen.add(_schema);
    const def = _schema._zod.def;
    if (def.type === "transform")
        return true;
    if (def.type === "array")
        return isTransforming(def.element, ctx);
    if (def.type === "set")
        return isTransforming(def.valueType, ctx);
    if (def.type === "lazy")
        return isTransforming(def.getter(), ctx);
    if (def.type === "promise" ||
        def.type === "optional" ||
        def.type === "nonoptional" ||
        def.type === "nullable" ||
        def.type === "readonly" ||
        def.type === "default" ||
        def.type === "prefault" ||
        def.type === "catch") {
        return isTransforming(def.innerType, ctx);
    }
    if (def.type === "intersection") {
        return isTransforming(def.left, ctx) || isTransforming(def.right, ctx);
    }
    if (def.type === "record" || def.type === "map") {
        return isTransforming(def.keyType, ctx) || isTransforming(def.valueType, ctx);
    }
    if (def.type === "pipe") {
        if (_schema._zod.traits.has("$ZodCodec"))
            return true;
        return isTransforming(def.in, ctx) || isTransforming(def.out, ctx);
    }
    if (def.type === "object") {
        for (const key in def.shape) {
            if (isTransforming(def.shape[key], ctx))
                return true;
        }
        return false;
    }
    if (def.type === "union") {
        for (const option of def.options) {
            if (isTransforming(option, ctx))
                return true;
        }
        return false;
    }
    if (def.type === "tuple") {
        for (const item of def.items) {
            if (isTransforming(item, ctx))
                return true;
        }
        if (def.rest && isTransforming(def.rest, ctx))
            return true;
        return false;
    }
    return false;
}
/**
 * Creates a toJSONSchema method for a schema instance.
 * This encapsulates the logic of initializing context, processing, extracting defs, and finalizing.
 */
const createToJSONSchemaMethod = (schema, processors = {}) => (params) => {
    const ctx = to_json_schema_initializeContext({ ...params, processors });
    to_json_schema_processSchema(schema, ctx);
    to_json_schema_extractDefs(ctx, schema);
    return to_json_schema_finalize(ctx, schema);
};
const createStandardJSONSchemaMethod = (schema, io, processors = {}) => (params) => {
    const { libraryOptions, target } = params ?? {};
    const ctx = to_json_schema_initializeContext({ ...(libraryOptions ?? {}), target, io, processors });
    to_json_schema_processSchema(schema, ctx);
    to_json_schema_extractDefs(ctx, schema);
    return to_json_schema_finalize(ctx, schema);
};

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/json-schema-processors.js




const narrowMin = (agg, key, value) => {
    if (agg[key] === undefined || value > agg[key])
        agg[key] = value;
};
const narrowMax = (agg, key, value) => {
    if (agg[key] === undefined || value < agg[key])
        agg[key] = value;
};
const narrowBoth = (agg, value) => {
    narrowMin(agg, "minimum", value);
    narrowMax(agg, "maximum", value);
};
const addDivisor = (agg, value) => {
    agg.multipleOf ?? (agg.multipleOf = []);
    if (!agg.multipleOf.includes(value))
        agg.multipleOf.push(value);
};
const addPattern = (agg, pattern) => {
    agg.patterns ?? (agg.patterns = new Set());
    agg.patterns.add(pattern);
};
const intersectMime = (agg, mime) => {
    agg.mime = agg.mime ? agg.mime.filter((m) => mime.includes(m)) : [...mime];
};
// last-wins, matching the bag's historical write order; the flag keeps an integer format from being lost to a later float one
const setFormat = (agg, format) => {
    agg.format = format;
    if (format.includes("int"))
        agg.isInt = true;
};
const minContributor = (agg, def) => narrowMin(agg, "minimum", def.minimum);
const maxContributor = (agg, def) => narrowMax(agg, "maximum", def.maximum);
const formatContributor = (ranges) => (agg, def) => {
    setFormat(agg, def.format);
    const [minimum, maximum] = ranges[def.format];
    narrowMin(agg, "minimum", minimum);
    narrowMax(agg, "maximum", maximum);
};
const contributors = {
    greater_than: (agg, def) => narrowMin(agg, def.inclusive ? "minimum" : "exclusiveMinimum", def.value),
    less_than: (agg, def) => narrowMax(agg, def.inclusive ? "maximum" : "exclusiveMaximum", def.value),
    multiple_of: (agg, def) => addDivisor(agg, def.value),
    number_format: formatContributor(NUMBER_FORMAT_RANGES),
    bigint_format: formatContributor(BIGINT_FORMAT_RANGES),
    min_length: minContributor,
    max_length: maxContributor,
    length_equals: (agg, def) => narrowBoth(agg, def.length),
    min_size: minContributor,
    max_size: maxContributor,
    size_equals: (agg, def) => narrowBoth(agg, def.size),
    string_format: (agg, def) => {
        setFormat(agg, def.format);
        if (def.pattern)
            addPattern(agg, def.pattern);
        if (def.format === "base64" || def.format === "base64url")
            agg.contentEncoding = def.format;
        if (def.local || def.precision === -1)
            agg.laxFormat = true;
    },
    mime_type: (agg, def) => intersectMime(agg, def.mime),
};
function aggregateChecks(schema) {
    const agg = {};
    const def = schema._zod.def;
    // a format schema is its own first check, same rule as $ZodType init
    const list = schema._zod.traits.has("$ZodCheck")
        ? [schema, ...(def.checks ?? [])]
        : (def.checks ?? []);
    for (const ch of list)
        contributors[ch._zod.def.check]?.(agg, ch._zod.def);
    // reconcile with the bag so third-party onattach contributions still land; first-party residue is never tighter than the fold, so merging it back is idempotent for one and additive for the other
    const bag = schema._zod.bag;
    if (bag.minimum !== undefined)
        narrowMin(agg, "minimum", bag.minimum);
    if (bag.exclusiveMinimum !== undefined)
        narrowMin(agg, "exclusiveMinimum", bag.exclusiveMinimum);
    if (bag.maximum !== undefined)
        narrowMax(agg, "maximum", bag.maximum);
    if (bag.exclusiveMaximum !== undefined)
        narrowMax(agg, "exclusiveMaximum", bag.exclusiveMaximum);
    if (bag.multipleOf !== undefined)
        addDivisor(agg, bag.multipleOf);
    if (bag.format !== undefined) {
        agg.format ?? (agg.format = bag.format);
        if (bag.format.includes("int"))
            agg.isInt = true;
    }
    if (bag.mime)
        intersectMime(agg, bag.mime);
    for (const pattern of bag.patterns ?? [])
        addPattern(agg, pattern);
    return agg;
}
const formatMap = {
    guid: "uuid",
    url: "uri",
    datetime: "date-time",
    json_string: "json-string",
    regex: "", // do not set
};
// ==================== SIMPLE TYPE PROCESSORS ====================
// the runtime patterns are lax so parse paths never overflow the regex stack; the emitted schema swaps in the exact block forms, which zod itself never executes
const exactPatterns = new Map([
    [base64Charset, base64],
    [base64urlCharset, base64url],
]);
const exactPattern = (p) => exactPatterns.get(p) ?? p;
const stringProcessor = (schema, ctx, _json, _params) => {
    const json = _json;
    json.type = "string";
    const { minimum, maximum, format, patterns, contentEncoding, laxFormat } = aggregateChecks(schema);
    if (typeof minimum === "number")
        json.minLength = minimum;
    if (typeof maximum === "number")
        json.maxLength = maximum;
    // custom pattern overrides format
    if (format) {
        json.format = formatMap[format] ?? format;
        if (json.format === "")
            delete json.format; // empty format is not valid
        // `z.iso.time()` is never full-time, and `laxFormat` carries the datetime shapes that also accept what their keyword forbids
        if (format === "time" || laxFormat) {
            delete json.format;
        }
    }
    if (contentEncoding)
        json.contentEncoding = contentEncoding;
    if (patterns && patterns.size > 0) {
        const patternList = [...patterns].map(exactPattern);
        if (patternList.length === 1)
            json.pattern = patternList[0].source;
        else if (patternList.length > 1) {
            json.allOf = [
                ...patternList.map((regex) => ({
                    ...(ctx.target === "draft-07" || ctx.target === "draft-04" || ctx.target === "openapi-3.0"
                        ? { type: "string" }
                        : {}),
                    pattern: regex.source,
                })),
            ];
        }
    }
};
const numberProcessor = (schema, ctx, _json, params) => {
    const json = _json;
    const { minimum, maximum, multipleOf, exclusiveMaximum, exclusiveMinimum, isInt } = aggregateChecks(schema);
    json.type = isInt ? "integer" : "number";
    // when both minimum and exclusiveMinimum exist, pick the more restrictive one
    const exMin = typeof exclusiveMinimum === "number" && exclusiveMinimum >= (minimum ?? Number.NEGATIVE_INFINITY);
    const exMax = typeof exclusiveMaximum === "number" && exclusiveMaximum <= (maximum ?? Number.POSITIVE_INFINITY);
    const legacy = ctx.target === "draft-04" || ctx.target === "openapi-3.0";
    if (exMin) {
        if (legacy) {
            json.minimum = exclusiveMinimum;
            json.exclusiveMinimum = true;
        }
        else {
            json.exclusiveMinimum = exclusiveMinimum;
        }
    }
    else if (typeof minimum === "number") {
        json.minimum = minimum;
    }
    if (exMax) {
        if (legacy) {
            json.maximum = exclusiveMaximum;
            json.exclusiveMaximum = true;
        }
        else {
            json.exclusiveMaximum = exclusiveMaximum;
        }
    }
    else if (typeof maximum === "number") {
        json.maximum = maximum;
    }
    if (multipleOf) {
        // JSON Schema requires a divisor strictly greater than zero, and a non-finite one does not survive JSON at all. A negative divisor accepts exactly what its absolute value accepts, so it still maps; zero, NaN and Infinity have no keyword form.
        const divisors = new Set();
        for (const divisor of multipleOf) {
            if (Number.isFinite(divisor) && divisor !== 0)
                divisors.add(Math.abs(divisor));
            else
                handleUnrepresentable(schema, ctx, json, params, `A multipleOf divisor of ${divisor} cannot be represented in JSON Schema`);
        }
        // chained divisors are a conjunction the keyword cannot carry alone, so extras ride an allOf, same as stacked patterns
        const [first, ...rest] = divisors;
        if (first !== undefined)
            json.multipleOf = first;
        if (rest.length)
            json.allOf = [...(json.allOf ?? []), ...rest.map((m) => ({ multipleOf: m }))];
    }
};
const booleanProcessor = (_schema, _ctx, json, _params) => {
    json.type = "boolean";
};
const bigintProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "BigInt cannot be represented in JSON Schema");
};
const symbolProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "Symbols cannot be represented in JSON Schema");
};
const nullProcessor = (_schema, ctx, json, _params) => {
    if (ctx.target === "openapi-3.0") {
        json.type = "string";
        json.nullable = true;
        json.enum = [null];
    }
    else {
        json.type = "null";
    }
};
const undefinedProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "Undefined cannot be represented in JSON Schema");
};
const voidProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "Void cannot be represented in JSON Schema");
};
const neverProcessor = (_schema, _ctx, json, _params) => {
    json.not = {};
};
const anyProcessor = (_schema, _ctx, _json, _params) => {
    // empty schema accepts anything
};
const unknownProcessor = (_schema, _ctx, _json, _params) => {
    // empty schema accepts anything
};
const dateProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "Date cannot be represented in JSON Schema");
};
const enumProcessor = (schema, _ctx, json, _params) => {
    const def = schema._zod.def;
    const values = getEnumValues(def.entries);
    // an empty enum accepts nothing, same as z.never()
    if (values.length === 0) {
        json.not = {};
        return;
    }
    // Number enums can have both string and number values
    if (values.every((v) => typeof v === "number"))
        json.type = "number";
    if (values.every((v) => typeof v === "string"))
        json.type = "string";
    json.enum = values;
};
const literalProcessor = (schema, ctx, json, params) => {
    const def = schema._zod.def;
    // a literal with no values accepts nothing, same as z.never()
    if (def.values.length === 0) {
        json.not = {};
        return;
    }
    const vals = [];
    for (const val of def.values) {
        if (val === undefined) {
            // a custom schema replaces the whole literal, so there is nothing left to accumulate
            if (handleUnrepresentable(schema, ctx, json, params, "Literal `undefined` cannot be represented in JSON Schema"))
                return;
            // otherwise do not add to vals
        }
        else if (typeof val === "bigint") {
            if (handleUnrepresentable(schema, ctx, json, params, "BigInt literals cannot be represented in JSON Schema"))
                return;
            vals.push(Number(val));
        }
        else {
            vals.push(val);
        }
    }
    if (vals.length === 0) {
        // do nothing (an undefined literal was stripped)
    }
    else if (vals.length === 1) {
        const val = vals[0];
        json.type = val === null ? "null" : typeof val;
        if (ctx.target === "draft-04" || ctx.target === "openapi-3.0") {
            json.enum = [val];
        }
        else {
            json.const = val;
        }
    }
    else {
        if (vals.every((v) => typeof v === "number"))
            json.type = "number";
        if (vals.every((v) => typeof v === "string"))
            json.type = "string";
        if (vals.every((v) => typeof v === "boolean"))
            json.type = "boolean";
        if (vals.every((v) => v === null))
            json.type = "null";
        json.enum = vals;
    }
};
const nanProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "NaN cannot be represented in JSON Schema");
};
const templateLiteralProcessor = (schema, _ctx, json, _params) => {
    const _json = json;
    const pattern = schema._zod.pattern;
    if (!pattern)
        throw new Error("Pattern not found in template literal");
    _json.type = "string";
    _json.pattern = pattern.source;
};
const fileProcessor = (schema, _ctx, json, _params) => {
    const _json = json;
    _json.type = "string";
    _json.format = "binary";
    _json.contentEncoding = "binary";
    const { minimum, maximum, mime } = aggregateChecks(schema);
    if (minimum !== undefined)
        _json.minLength = minimum;
    if (maximum !== undefined)
        _json.maxLength = maximum;
    if (!mime)
        return;
    // an empty intersection means the mime checks share no value, so nothing passes at runtime; `anyOf` must be non-empty, so the false schema is `not: {}`
    if (mime.length === 0)
        _json.not = {};
    else if (mime.length === 1)
        _json.contentMediaType = mime[0];
    // only contentMediaType differs, so the shared props stay at the root
    else
        _json.anyOf = mime.map((m) => ({ contentMediaType: m }));
};
const successProcessor = (_schema, _ctx, json, _params) => {
    json.type = "boolean";
};
const customProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "Custom types cannot be represented in JSON Schema");
};
const functionProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "Function types cannot be represented in JSON Schema");
};
const transformProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "Transforms cannot be represented in JSON Schema");
};
const mapProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "Map cannot be represented in JSON Schema");
};
const setProcessor = (schema, ctx, json, params) => {
    handleUnrepresentable(schema, ctx, json, params, "Set cannot be represented in JSON Schema");
};
// ==================== COMPOSITE TYPE PROCESSORS ====================
const arrayProcessor = (schema, ctx, _json, params) => {
    const json = _json;
    const def = schema._zod.def;
    const { minimum, maximum } = aggregateChecks(schema);
    if (typeof minimum === "number")
        json.minItems = minimum;
    if (typeof maximum === "number")
        json.maxItems = maximum;
    json.type = "array";
    json.items = to_json_schema_processSchema(def.element, ctx, {
        ...params,
        path: [...params.path, "items"],
    });
};
// Transform and catch set `optin = "optional"` at runtime so the parser lets them observe an
// absent key, but their declared input type stays required. An input JSON Schema describes the
// declared type, so resolve past them to the schema that actually carries the optionality.
// Used by both `objectProcessor` (for `required`) and `tupleProcessor` (for `minItems`); see
// wiki/optionality.md, "The JSON Schema emitter reads the *static* value".
function inputOptin(schema) {
    const def = schema._zod.def;
    if (def.type === "pipe" && def.in._zod.traits.has("$ZodTransform")) {
        return inputOptin(def.out);
    }
    if (def.type === "catch") {
        return inputOptin(def.innerType);
    }
    return schema._zod.optin;
}
const objectProcessor = (schema, ctx, _json, params) => {
    const json = _json;
    const def = schema._zod.def;
    const shape = def.shape;
    // dropping it while still emitting `additionalProperties: false` would emit a schema that rejects data this one requires
    const symbolKeys = Object.getOwnPropertySymbols(shape);
    if (symbolKeys.length &&
        handleUnrepresentable(schema, ctx, json, params, "Symbol keys cannot be represented in JSON Schema")) {
        return;
    }
    json.type = "object";
    json.properties = {};
    for (const key in shape) {
        // assignProp so a __proto__ key becomes an own property instead of hitting the inherited setter on the plain {} we build into
        util_assignProp(json.properties, key, to_json_schema_processSchema(shape[key], ctx, {
            ...params,
            path: [...params.path, "properties", key],
        }));
    }
    // required keys
    const requiredKeys = [];
    for (const key of Object.keys(shape)) {
        const field = def.shape[key];
        if (ctx.io === "input" ? inputOptin(field) === undefined : field._zod.optout === undefined) {
            requiredKeys.push(key);
        }
    }
    if (requiredKeys.length > 0) {
        json.required = requiredKeys;
    }
    // catchall
    if (def.catchall?._zod.def.type === "never") {
        // strict
        json.additionalProperties = false;
    }
    else if (!def.catchall) {
        // regular
        if (ctx.io === "output")
            json.additionalProperties = false;
    }
    else if (def.catchall) {
        json.additionalProperties = to_json_schema_processSchema(def.catchall, ctx, {
            ...params,
            path: [...params.path, "additionalProperties"],
        });
    }
};
const unionProcessor = (schema, ctx, json, params) => {
    const def = schema._zod.def;
    // Exclusive unions (inclusive === false) use oneOf (exactly one match) instead of anyOf (one or more matches). This includes both z.xor() and discriminated unions
    const isExclusive = def.inclusive === false;
    const options = def.options.map((x, i) => to_json_schema_processSchema(x, ctx, {
        ...params,
        path: [...params.path, isExclusive ? "oneOf" : "anyOf", i],
    }));
    if (isExclusive) {
        json.oneOf = options;
    }
    else {
        json.anyOf = options;
    }
};
const intersectionProcessor = (schema, ctx, json, params) => {
    const def = schema._zod.def;
    const a = to_json_schema_processSchema(def.left, ctx, {
        ...params,
        path: [...params.path, "allOf", 0],
    });
    const b = to_json_schema_processSchema(def.right, ctx, {
        ...params,
        path: [...params.path, "allOf", 1],
    });
    const isSimpleIntersection = (val) => "allOf" in val && Object.keys(val).length === 1;
    const allOf = [
        ...(isSimpleIntersection(a) ? a.allOf : [a]),
        ...(isSimpleIntersection(b) ? b.allOf : [b]),
    ];
    json.allOf = allOf;
    // Recorded innermost first, so a nested intersection has already folded by the time this one is considered. The array is the handle rather than the schema, because a wrapper that inherits this schema shares the same array; `finalize` folds every object holding it. See `foldIntersection`.
    ctx.intersections.push(allOf);
};
const tupleProcessor = (schema, ctx, _json, params) => {
    const json = _json;
    const def = schema._zod.def;
    json.type = "array";
    const prefixPath = ctx.target === "draft-2020-12" ? "prefixItems" : "items";
    const restPath = ctx.target === "draft-2020-12" ? "items" : ctx.target === "openapi-3.0" ? "items" : "additionalItems";
    const prefixItems = def.items.map((x, i) => to_json_schema_processSchema(x, ctx, {
        ...params,
        path: [...params.path, prefixPath, i],
    }));
    const rest = def.rest
        ? to_json_schema_processSchema(def.rest, ctx, {
            ...params,
            path: [...params.path, restPath, ...(ctx.target === "openapi-3.0" ? [def.items.length] : [])],
        })
        : null;
    let minItems = def.items.length;
    while (minItems > 0) {
        const item = def.items[minItems - 1];
        const optional = ctx.io === "input" ? inputOptin(item) !== undefined : item._zod.optout === "optional";
        if (!optional)
            break;
        minItems--;
    }
    const maxItems = def.items.length;
    const isClosed = !def.rest;
    if (ctx.target === "draft-2020-12") {
        json.prefixItems = prefixItems;
        if (isClosed) {
            json.items = false;
        }
        else if (rest) {
            json.items = rest;
        }
        if (minItems > 0)
            json.minItems = minItems;
        if (isClosed)
            json.maxItems = maxItems;
    }
    else if (ctx.target === "openapi-3.0") {
        json.items = {
            anyOf: prefixItems,
        };
        if (rest) {
            json.items.anyOf.push(rest);
        }
        if (minItems > 0)
            json.minItems = minItems;
        if (isClosed)
            json.maxItems = maxItems;
    }
    else {
        json.items = prefixItems;
        if (isClosed) {
            json.additionalItems = false;
        }
        else if (rest) {
            json.additionalItems = rest;
        }
        if (minItems > 0)
            json.minItems = minItems;
        if (isClosed)
            json.maxItems = maxItems;
    }
    // explicit user-defined length checks take precedence
    const { minimum, maximum } = aggregateChecks(schema);
    if (typeof minimum === "number")
        json.minItems = minimum;
    if (typeof maximum === "number")
        json.maxItems = maximum;
};
/** JSON object keys are always strings, so a numeric record key schema is re-expressed over the
 * numeric-string form the record parser matches. Deferred to `finalize`, after the flatten: a key
 * behind a wrapper only carries its own `type` before then, and a union key only has its branches.
 *
 * A numeric bound cannot apply to a property name, so `minimum` and its siblings are dropped rather
 * than carried over: keeping them beside `type: "string"` reproduces the match-nothing schema this
 * exists to fix. A key that carries one therefore emits wider than the record parses — `z.record(z.number().min(5), V)`
 * accepts `"3"` — which is the deliberate trade, since throwing on it would reject an ordinary schema
 * outright. */
function stringifyKeyNames(bySchema, json, visited) {
    // an extracted key that rewrites cannot go on sharing its definition — the string form a key position needs is not the number form every other reference wants — so it inlines. One that does not rewrite keeps the `$ref`.
    if (json.$ref) {
        // a recursive key holds its own reference inside its definition, so a node already on the path is left alone rather than resolved again
        if (visited.has(json))
            return json;
        visited.add(json);
        const def = bySchema.get(json)?.def;
        if (!def)
            return json;
        const inlined = stringifyKeyNames(bySchema, def, visited);
        return inlined === def ? json : inlined;
    }
    for (const keyword of ["anyOf", "oneOf"]) {
        const branches = json[keyword];
        if (!Array.isArray(branches))
            continue;
        const mapped = branches.map((branch) => stringifyKeyNames(bySchema, branch, visited));
        // rebuilding regardless would detach a key that had nothing to re-express, dropping its `$ref` and leaking the internal `id`
        if (mapped.some((branch, i) => branch !== branches[i]))
            json = { ...json, [keyword]: mapped };
    }
    // a member that already admits a string leaves the key unconstrained, so the node's own type re-expresses only when every member is numeric
    const types = Array.isArray(json.type) ? json.type : [json.type];
    const numericType = !types.includes("string") && types.some((t) => t === "number" || t === "integer");
    // a heterogeneous key carries no type at all, so its numeric members are caught here instead
    const values = json.enum ?? (json.const !== undefined ? [json.const] : undefined);
    if (!numericType && !values?.some((v) => typeof v === "number"))
        return json;
    const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, format, id, ...rest } = json;
    if (rest.enum)
        rest.enum = rest.enum.map((v) => (typeof v === "number" ? String(v) : v));
    else if (typeof rest.const === "number")
        rest.const = String(rest.const);
    // a heterogeneous key keeps its absent type: the stringified members already say what a key may be
    if (!numericType)
        return rest;
    rest.type = "string";
    if (!values)
        rest.pattern = (types.includes("number") ? number : integer).source;
    return rest;
}
/** Every record of one conversion, so the carriers are found in a single pass rather than once per record. */
const pendingRecords = new WeakMap();
function rewriteKeyNames(ctx) {
    // an extracted key is resolved by the object `extractToDef` left in its place, so the map is built once rather than searched per reference. `_zod.toJSONSchema` can hand the same object to two schemas, so the first entry carrying a body wins, as a search would have found it.
    const bySchema = new Map();
    for (const entry of ctx.seen.values()) {
        if (entry.def && !bySchema.has(entry.schema))
            bySchema.set(entry.schema, entry);
    }
    const rewrites = new Map();
    for (const record of pendingRecords.get(ctx) ?? []) {
        const seen = ctx.seen.get(record);
        const names = (seen?.def ?? seen?.schema)?.propertyNames;
        if (!names || names === true || rewrites.has(names))
            continue;
        const rewritten = stringifyKeyNames(bySchema, names, new Set());
        if (rewritten !== names)
            rewrites.set(names, rewritten);
    }
    if (!rewrites.size)
        return;
    // the flatten has already copied each record's own properties onto every wrapper by reference, and an extracted body is another such copy, so every carrier holding a rewritten key is updated together
    for (const entry of ctx.seen.values()) {
        for (const carrier of [entry.schema, entry.def]) {
            const rewritten = carrier && rewrites.get(carrier.propertyNames);
            if (rewritten)
                carrier.propertyNames = rewritten;
        }
    }
}
const recordProcessor = (schema, ctx, _json, params) => {
    const json = _json;
    const def = schema._zod.def;
    json.type = "object";
    // For looseRecord with regex patterns, use patternProperties. This correctly represents "only validate keys matching the pattern" semantics and composes well with allOf (intersections)
    const keyType = def.keyType;
    const patterns = aggregateChecks(keyType).patterns;
    if (def.mode === "loose" && patterns && patterns.size > 0) {
        // Use patternProperties for looseRecord with regex patterns
        const valueSchema = to_json_schema_processSchema(def.valueType, ctx, {
            ...params,
            path: [...params.path, "patternProperties", "*"],
        });
        json.patternProperties = {};
        for (const pattern of patterns) {
            util_assignProp(json.patternProperties, exactPattern(pattern).source, valueSchema);
        }
    }
    else {
        // Default behavior: use propertyNames + additionalProperties
        if (ctx.target === "draft-07" || ctx.target === "draft-2020-12") {
            json.propertyNames = to_json_schema_processSchema(def.keyType, ctx, {
                ...params,
                path: [...params.path, "propertyNames"],
            });
            let pending = pendingRecords.get(ctx);
            if (!pending) {
                pending = [];
                pendingRecords.set(ctx, pending);
                ctx.deferred.push(() => rewriteKeyNames(ctx));
            }
            pending.push(schema);
        }
        json.additionalProperties = to_json_schema_processSchema(def.valueType, ctx, {
            ...params,
            path: [...params.path, "additionalProperties"],
        });
    }
    // Add required for keys with discrete values (enum, literal, etc.)
    const keyValues = keyType._zod.values;
    // Every key shares one value schema, so an optional-in value makes the whole key set omittable on input. Output keeps them: the exhaustive branch assigns every key, even one whose value came back undefined.
    const omittableOnInput = ctx.io === "input" && inputOptin(def.valueType) !== undefined;
    if (keyValues && !def.partial && !omittableOnInput) {
        const validKeyValues = [...keyValues].filter((v) => typeof v === "string" || typeof v === "number");
        if (validKeyValues.length > 0) {
            json.required = validKeyValues.map(String);
        }
    }
};
const nullableProcessor = (schema, ctx, json, params) => {
    const def = schema._zod.def;
    const inner = to_json_schema_processSchema(def.innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    if (ctx.target === "openapi-3.0") {
        seen.ref = def.innerType;
        json.nullable = true;
    }
    else {
        json.anyOf = [inner, { type: "null" }];
    }
};
const nonoptionalProcessor = (schema, ctx, _json, params) => {
    const def = schema._zod.def;
    to_json_schema_processSchema(def.innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    seen.ref = def.innerType;
};
/** Round-trips a default value through JSON so the emitted schema is guaranteed to be valid JSON.
 * A BigInt has no reliable encoding, so it goes through `unrepresentable` like any other
 * unrepresentable value. Returns a sentinel when the caller must not write a default of its own. */
const UNREPRESENTABLE_DEFAULT = Symbol();
function serializeDefaultValue(value, schema, ctx, json, params) {
    let unrepresentable = false;
    const serialized = JSON.stringify(value, (_, val) => {
        if (typeof val !== "bigint")
            return val;
        unrepresentable = true;
        return null;
    });
    if (!unrepresentable)
        return JSON.parse(serialized);
    handleUnrepresentable(schema, ctx, json, params, "BigInt defaults cannot be represented in JSON Schema");
    return UNREPRESENTABLE_DEFAULT;
}
const defaultProcessor = (schema, ctx, json, params) => {
    const def = schema._zod.def;
    to_json_schema_processSchema(def.innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    seen.ref = def.innerType;
    const value = serializeDefaultValue(def.defaultValue, schema, ctx, json, params);
    if (value !== UNREPRESENTABLE_DEFAULT)
        json.default = value;
};
const prefaultProcessor = (schema, ctx, json, params) => {
    const def = schema._zod.def;
    to_json_schema_processSchema(def.innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    seen.ref = def.innerType;
    if (ctx.io !== "input")
        return;
    const value = serializeDefaultValue(def.defaultValue, schema, ctx, json, params);
    if (value !== UNREPRESENTABLE_DEFAULT)
        json._prefault = value;
};
const catchProcessor = (schema, ctx, json, params) => {
    const def = schema._zod.def;
    to_json_schema_processSchema(def.innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    seen.ref = def.innerType;
    let catchValue;
    try {
        catchValue = def.catchValue(undefined);
    }
    catch {
        handleUnrepresentable(schema, ctx, json, params, "Dynamic catch values are not supported in JSON Schema");
        return;
    }
    json.default = catchValue;
};
const pipeProcessor = (schema, ctx, _json, params) => {
    const def = schema._zod.def;
    const inIsTransform = def.in._zod.traits.has("$ZodTransform");
    const innerType = ctx.io === "input" ? (inIsTransform ? def.out : def.in) : def.out;
    to_json_schema_processSchema(innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    seen.ref = innerType;
};
const readonlyProcessor = (schema, ctx, json, params) => {
    const def = schema._zod.def;
    to_json_schema_processSchema(def.innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    seen.ref = def.innerType;
    json.readOnly = true;
};
const promiseProcessor = (schema, ctx, _json, params) => {
    const def = schema._zod.def;
    to_json_schema_processSchema(def.innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    seen.ref = def.innerType;
};
const optionalProcessor = (schema, ctx, _json, params) => {
    const def = schema._zod.def;
    to_json_schema_processSchema(def.innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    seen.ref = def.innerType;
};
const lazyProcessor = (schema, ctx, _json, params) => {
    const innerType = schema._zod.innerType;
    to_json_schema_processSchema(innerType, ctx, params);
    const seen = ctx.seen.get(schema);
    seen.ref = innerType;
};
// ==================== ALL PROCESSORS ====================
const allProcessors = {
    string: stringProcessor,
    number: numberProcessor,
    boolean: booleanProcessor,
    bigint: bigintProcessor,
    symbol: symbolProcessor,
    null: nullProcessor,
    undefined: undefinedProcessor,
    void: voidProcessor,
    never: neverProcessor,
    any: anyProcessor,
    unknown: unknownProcessor,
    date: dateProcessor,
    enum: enumProcessor,
    literal: literalProcessor,
    nan: nanProcessor,
    template_literal: templateLiteralProcessor,
    file: fileProcessor,
    success: successProcessor,
    custom: customProcessor,
    function: functionProcessor,
    transform: transformProcessor,
    map: mapProcessor,
    set: setProcessor,
    array: arrayProcessor,
    object: objectProcessor,
    union: unionProcessor,
    intersection: intersectionProcessor,
    tuple: tupleProcessor,
    record: recordProcessor,
    nullable: nullableProcessor,
    nonoptional: nonoptionalProcessor,
    default: defaultProcessor,
    prefault: prefaultProcessor,
    catch: catchProcessor,
    pipe: pipeProcessor,
    readonly: readonlyProcessor,
    promise: promiseProcessor,
    optional: optionalProcessor,
    lazy: lazyProcessor,
};
function toJSONSchema(input, params) {
    if ("_idmap" in input) {
        // Registry case
        const registry = input;
        const ctx = initializeContext({ ...params, processors: allProcessors });
        const defs = {};
        // First pass: process all schemas to build the seen map
        for (const entry of registry._idmap.entries()) {
            const [_, schema] = entry;
            processSchema(schema, ctx);
        }
        const schemas = {};
        const external = {
            registry,
            uri: params?.uri,
            defs,
        };
        // Update the context with external configuration
        ctx.external = external;
        // Second pass: emit each schema
        for (const entry of registry._idmap.entries()) {
            const [key, schema] = entry;
            extractDefs(ctx, schema);
            assignProp(schemas, key, finalize(ctx, schema));
        }
        if (Object.keys(defs).length > 0) {
            const defsSegment = ctx.target === "draft-2020-12" ? "$defs" : "definitions";
            schemas.__shared = {
                [defsSegment]: defs,
            };
        }
        return { schemas };
    }
    // Single schema case
    const ctx = initializeContext({ ...params, processors: allProcessors });
    processSchema(input, ctx);
    extractDefs(ctx, input);
    return finalize(ctx, input);
}

;// CONCATENATED MODULE: ./node_modules/zod/v4/locales/en.js

const error = () => {
    const Sizable = {
        string: { unit: "characters", verb: "to have" },
        file: { unit: "bytes", verb: "to have" },
        array: { unit: "items", verb: "to have" },
        set: { unit: "items", verb: "to have" },
        map: { unit: "entries", verb: "to have" },
    };
    function getSizing(origin) {
        return Sizable[origin] ?? null;
    }
    const FormatDictionary = {
        regex: "input",
        email: "email address",
        url: "URL",
        emoji: "emoji",
        uuid: "UUID",
        uuidv4: "UUIDv4",
        uuidv6: "UUIDv6",
        nanoid: "nanoid",
        guid: "GUID",
        cuid: "cuid",
        cuid2: "cuid2",
        ulid: "ULID",
        xid: "XID",
        ksuid: "KSUID",
        datetime: "ISO datetime",
        date: "ISO date",
        time: "ISO time",
        duration: "ISO duration",
        ipv4: "IPv4 address",
        ipv6: "IPv6 address",
        mac: "MAC address",
        cidrv4: "IPv4 range",
        cidrv6: "IPv6 range",
        base64: "base64-encoded string",
        base64url: "base64url-encoded string",
        json_string: "JSON string",
        e164: "E.164 number",
        currency_code: "currency code",
        credit_card: "credit card number",
        iban: "IBAN",
        jwt: "JWT",
        template_literal: "input",
    };
    // type names: missing keys = do not translate (use raw value via ?? fallback)
    const TypeDictionary = {
        // Compatibility: "nan" -> "NaN" for display
        nan: "NaN",
        // All other type names omitted - they fall back to raw values via ?? operator
    };
    function getTypeName(type, input) {
        if (type === "number" && typeof input === "number" && !Number.isFinite(input)) {
            return String(input);
        }
        return TypeDictionary[type] ?? type;
    }
    return (issue) => {
        switch (issue.code) {
            case "invalid_type": {
                const expected = getTypeName(issue.expected);
                const receivedType = parsedType(issue.input);
                const received = getTypeName(receivedType, issue.input);
                return `Invalid input: expected ${expected}, received ${received}`;
            }
            case "invalid_value":
                if (issue.values.length === 1)
                    return `Invalid input: expected ${stringifyPrimitive(issue.values[0])}`;
                return `Invalid option: expected one of ${joinValues(issue.values, "|")}`;
            case "too_big": {
                const adj = issue.exact ? "exactly " : issue.inclusive ? "<=" : "<";
                const sizing = getSizing(issue.origin);
                if (sizing)
                    return `Too big: expected ${issue.origin ?? "value"} to have ${adj}${issue.maximum.toString()} ${sizing.unit ?? "elements"}`;
                return `Too big: expected ${issue.origin ?? "value"} to be ${adj}${issue.maximum.toString()}`;
            }
            case "too_small": {
                const adj = issue.exact ? "exactly " : issue.inclusive ? ">=" : ">";
                const sizing = getSizing(issue.origin);
                if (sizing) {
                    return `Too small: expected ${issue.origin} to have ${adj}${issue.minimum.toString()} ${sizing.unit}`;
                }
                return `Too small: expected ${issue.origin} to be ${adj}${issue.minimum.toString()}`;
            }
            case "invalid_format": {
                const _issue = issue;
                if (_issue.format === "starts_with") {
                    return `Invalid string: must start with "${_issue.prefix}"`;
                }
                if (_issue.format === "ends_with")
                    return `Invalid string: must end with "${_issue.suffix}"`;
                if (_issue.format === "includes")
                    return `Invalid string: must include "${_issue.includes}"`;
                if (_issue.format === "regex")
                    return `Invalid string: must match pattern ${_issue.pattern}`;
                return `Invalid ${FormatDictionary[_issue.format] ?? issue.format}`;
            }
            case "not_multiple_of":
                return `Invalid number: must be a multiple of ${issue.divisor}`;
            case "unrecognized_keys":
                return `Unrecognized key${issue.keys.length > 1 ? "s" : ""}: ${joinValues(issue.keys, ", ")}`;
            case "invalid_key":
                return `Invalid key in ${issue.origin}`;
            case "invalid_union":
                if (issue.options && Array.isArray(issue.options) && issue.options.length > 0) {
                    const opts = issue.options.map((o) => `'${o}'`).join(" | ");
                    return `Invalid discriminator value. Expected ${opts}`;
                }
                if (issue.inclusive === false) {
                    return "Invalid input: more than one option matched";
                }
                return "Invalid input";
            case "invalid_element":
                return `Invalid value in ${issue.origin}`;
            default:
                return `Invalid input`;
        }
    };
};
/* harmony default export */ function en() {
    return {
        localeError: error(),
    };
}

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/errors.js


/* Computing the message eagerly is expensive (pretty-printed JSON of all
 * issues), so defer it until first read. The accessor functions and
 * descriptors are shared across instances to keep error construction
 * cheap; the computed message is cached on the internals object. The
 * setter preserves plain assignment semantics for consumers that
 * overwrite `message`. */
function _getMessage() {
    const internals = this._zod;
    internals.message ?? (internals.message = JSON.stringify(internals.def, jsonStringifyReplacer, 2));
    return internals.message;
}
function _setMessage(value) {
    this._zod.message = value;
}
const _messageDesc = {
    get: _getMessage,
    set: _setMessage,
    enumerable: true,
    configurable: true,
};
const _issuesDesc = { value: undefined, enumerable: false };
/* Prototypes that already carry the lazy `toString`. Seeded with the
 * intrinsics so that `init` on a foreign object — it accepts any object —
 * can never install an accessor onto a prototype we do not own. */
const _installedToString = /* @__PURE__ */ new WeakSet([Object.prototype, Error.prototype]);
const initializer = (inst, def) => {
    inst.name = "$ZodError";
    // `_zod` is already non-enumerable: $constructor's init defined it with this same descriptor
    _issuesDesc.value = def;
    Object.defineProperty(inst, "issues", _issuesDesc);
    // Clear the shared slot; a retained `value` pins the last error's issues.
    _issuesDesc.value = undefined;
    Object.defineProperty(inst, "message", _messageDesc);
    /* `toString` lives as a non-enumerable lazy getter on the shared
     * prototype; on first access it caches a per-instance closure so
     * detached usage still works. */
    const proto = Object.getPrototypeOf(inst);
    if (!_installedToString.has(proto)) {
        _installedToString.add(proto);
        Object.defineProperty(proto, "toString", {
            configurable: true,
            enumerable: false,
            get() {
                const value = () => this.message;
                Object.defineProperty(this, "toString", { value, configurable: true, writable: true });
                return value;
            },
            set(value) {
                Object.defineProperty(this, "toString", { value, configurable: true, writable: true });
            },
        });
    }
};
const $ZodError = $constructor("$ZodError", initializer);
const $ZodRealError = $constructor("$ZodError", initializer, undefined, {
    Parent: Error,
});
/** Get-or-create `obj[key]` as an own data property. A path segment naming an inherited member
 * ("toString", "constructor") would otherwise read through to the prototype, and assigning
 * "__proto__" would hit the setter instead of creating a key. */
function node(obj, key, make) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) {
        if (key === "__proto__") {
            Object.defineProperty(obj, key, { value: make(), writable: true, enumerable: true, configurable: true });
        }
        else {
            obj[key] = make();
        }
    }
    return obj[key];
}
function flattenError(error, mapper = (issue) => issue.message) {
    const fieldErrors = {};
    const formErrors = [];
    for (const sub of error.issues) {
        if (sub.path.length > 0) {
            node(fieldErrors, sub.path[0], () => []).push(mapper(sub));
        }
        else {
            formErrors.push(mapper(sub));
        }
    }
    return { formErrors, fieldErrors };
}
function formatError(error, mapper = (issue) => issue.message) {
    const fieldErrors = { _errors: [] };
    const processError = (error, path = []) => {
        for (const issue of error.issues) {
            if (issue.code === "invalid_union" && issue.errors.length) {
                issue.errors.map((issues) => processError({ issues }, [...path, ...issue.path]));
            }
            else if (issue.code === "invalid_key") {
                processError({ issues: issue.issues }, [...path, ...issue.path]);
            }
            else if (issue.code === "invalid_element") {
                processError({ issues: issue.issues }, [...path, ...issue.path]);
            }
            else {
                const fullpath = [...path, ...issue.path];
                if (fullpath.length === 0) {
                    fieldErrors._errors.push(mapper(issue));
                }
                else {
                    let curr = fieldErrors;
                    let i = 0;
                    while (i < fullpath.length) {
                        const el = fullpath[i];
                        const terminal = i === fullpath.length - 1;
                        // `_errors` is reserved by this legacy format, so merge a matching path segment into the current node instead of treating its array as a child.
                        if (el === "_errors") {
                            if (terminal)
                                curr._errors.push(mapper(issue));
                            i++;
                            continue;
                        }
                        // A path element may collide with an inherited property name such as
                        // "__proto__" or "constructor". Truthiness checks read the prototype
                        // (so no node is created, then ._errors.push throws), and bracket
                        // assignment of "__proto__" hits the setter instead of creating an
                        // own key. Guard the read with hasOwnProperty and create the node
                        // with defineProperty so any path element becomes a real own key.
                        if (!Object.prototype.hasOwnProperty.call(curr, el)) {
                            Object.defineProperty(curr, el, {
                                value: { _errors: [] },
                                enumerable: true,
                                writable: true,
                                configurable: true,
                            });
                        }
                        const node = curr[el];
                        if (terminal) {
                            node._errors.push(mapper(issue));
                        }
                        curr = node;
                        i++;
                    }
                }
            }
        }
    };
    processError(error);
    return fieldErrors;
}
function treeifyError(error, mapper = (issue) => issue.message) {
    const result = { errors: [] };
    const processError = (error, path = []) => {
        var _a;
        for (const issue of error.issues) {
            if (issue.code === "invalid_union" && issue.errors.length) {
                // regular union error
                issue.errors.map((issues) => processError({ issues }, [...path, ...issue.path]));
            }
            else if (issue.code === "invalid_key") {
                processError({ issues: issue.issues }, [...path, ...issue.path]);
            }
            else if (issue.code === "invalid_element") {
                processError({ issues: issue.issues }, [...path, ...issue.path]);
            }
            else {
                const fullpath = [...path, ...issue.path];
                if (fullpath.length === 0) {
                    result.errors.push(mapper(issue));
                    continue;
                }
                let curr = result;
                let i = 0;
                while (i < fullpath.length) {
                    const el = fullpath[i];
                    const terminal = i === fullpath.length - 1;
                    if (typeof el === "string") {
                        curr.properties ?? (curr.properties = {});
                        // el may collide with an inherited property name ("__proto__",
                        // "constructor", ...); ??= reads the prototype so the node is never
                        // created and curr.errors.push throws. Guard with hasOwnProperty and
                        // create the node with defineProperty so "__proto__" becomes a real
                        // own key rather than invoking the prototype setter.
                        if (!Object.prototype.hasOwnProperty.call(curr.properties, el)) {
                            Object.defineProperty(curr.properties, el, {
                                value: { errors: [] },
                                enumerable: true,
                                writable: true,
                                configurable: true,
                            });
                        }
                        curr = curr.properties[el];
                    }
                    else {
                        curr.items ?? (curr.items = []);
                        (_a = curr.items)[el] ?? (_a[el] = { errors: [] });
                        curr = curr.items[el];
                    }
                    if (terminal) {
                        curr.errors.push(mapper(issue));
                    }
                    i++;
                }
            }
        }
    };
    processError(error);
    return result;
}
/** Format a ZodError as a human-readable string in the following form.
 *
 * From
 *
 * ```ts
 * ZodError {
 *   issues: [
 *     {
 *       expected: 'string',
 *       code: 'invalid_type',
 *       path: [ 'username' ],
 *       message: 'Invalid input: expected string'
 *     },
 *     {
 *       expected: 'number',
 *       code: 'invalid_type',
 *       path: [ 'favoriteNumbers', 1 ],
 *       message: 'Invalid input: expected number'
 *     }
 *   ];
 * }
 * ```
 *
 * to
 *
 * ```
 * username
 *   ✖ Expected number, received string at "username
 * favoriteNumbers[0]
 *   ✖ Invalid input: expected number
 * ```
 */
function toDotPath(_path) {
    const segs = [];
    const path = _path.map((seg) => (typeof seg === "object" ? seg.key : seg));
    for (const seg of path) {
        if (typeof seg === "number")
            segs.push(`[${seg}]`);
        else if (typeof seg === "symbol")
            segs.push(`[${JSON.stringify(String(seg))}]`);
        else if (/[^\w$]/.test(seg))
            segs.push(`[${JSON.stringify(seg)}]`);
        else {
            if (segs.length)
                segs.push(".");
            segs.push(seg);
        }
    }
    return segs.join("");
}
function prettifyError(error) {
    const lines = [];
    // sort by path length
    const issues = [...error.issues].sort((a, b) => (a.path ?? []).length - (b.path ?? []).length);
    // Process each issue
    for (const issue of issues) {
        lines.push(`✖ ${issue.message}`);
        if (issue.path?.length)
            lines.push(`  → at ${toDotPath(issue.path)}`);
    }
    // Convert Map to formatted string
    return lines.join("\n");
}

;// CONCATENATED MODULE: ./node_modules/zod/v4/core/parse.js



// Always both keys, so the `_params` read site in `_parse` sees one object shape rather than two.
function finalizeParams(callee, params) {
    return { callee: params?.callee ?? callee, Err: params?.Err };
}
const _parse = (_Err) => {
    const fn = (schema, value, _ctx, _params) => {
        const ctx = _ctx ? { ..._ctx, async: false } : { async: false };
        const result = schema._zod.run({ value, issues: [] }, ctx);
        if (result instanceof Promise) {
            throw new $ZodAsyncError();
        }
        if (result.issues.length) {
            const e = new (_params?.Err ?? _Err)(result.issues.map((iss) => finalizeIssue(iss, ctx, config())));
            captureStackTrace(e, _params?.callee ?? fn);
            throw e;
        }
        return result.value;
    };
    return fn;
};
const parse_parse = /* @__PURE__*/ _parse($ZodRealError);
const _parseAsync = (_Err) => {
    const fn = async (schema, value, _ctx, params) => {
        const ctx = _ctx ? { ..._ctx, async: true } : { async: true };
        let result = schema._zod.run({ value, issues: [] }, ctx);
        if (result instanceof Promise)
            result = await result;
        if (result.issues.length) {
            const e = new (params?.Err ?? _Err)(result.issues.map((iss) => finalizeIssue(iss, ctx, config())));
            captureStackTrace(e, params?.callee ?? fn);
            throw e;
        }
        return result.value;
    };
    return fn;
};
const parse_parseAsync = /* @__PURE__*/ _parseAsync($ZodRealError);
const _safeParse = (_Err) => (schema, value, _ctx) => {
    const ctx = _ctx ? { ..._ctx, async: false } : { async: false };
    const result = schema._zod.run({ value, issues: [] }, ctx);
    if (result instanceof Promise) {
        throw new $ZodAsyncError();
    }
    return result.issues.length ? failure(_Err, result.issues, ctx) : { success: true, data: result.value };
};
const safeParse = /* @__PURE__*/ _safeParse($ZodRealError);
// the error is built on the first read of `error`: finalizing the issues and constructing the instance is most of a failing parse, and a caller that only branches on `success` never pays it. a getter in the literal keeps this small; the alternative, one shared accessor descriptor plus a hidden state slot, reads ~15% faster but costs ~75 B gzipped in every bundle
function failure(Err, issues, ctx) {
    let error;
    return {
        success: false,
        get error() {
            if (!error) {
                error = new Err(issues.map((iss) => finalizeIssue(iss, ctx, config())));
                // finalizeIssue drops `input`, so the built error holds nothing; keeping the raw issues past this point pins the parsed value for the life of the result
                issues = undefined;
                ctx = undefined;
            }
            return error;
        },
        set error(e) {
            error = e;
            // a replacement makes the getter's branch unreachable, so the captures have to go here too
            issues = undefined;
            ctx = undefined;
        },
    };
}
const _safeParseAsync = (_Err) => async (schema, value, _ctx) => {
    const ctx = _ctx ? { ..._ctx, async: true } : { async: true };
    let result = schema._zod.run({ value, issues: [] }, ctx);
    if (result instanceof Promise)
        result = await result;
    return result.issues.length ? failure(_Err, result.issues, ctx) : { success: true, data: result.value };
};
const safeParseAsync = /* @__PURE__*/ _safeParseAsync($ZodRealError);
// registry mirrors of the compiler's sentinels, so this module never imports the compiler
const COMPILE_INVALID = /* @__PURE__ */ Symbol.for("zod.compile.invalid");
const COMPILE_FALLBACK = /* @__PURE__ */ Symbol.for("zod.compile.fallback");
// Deliberately tiny, because v8 will not inline a body carrying the fallback's object literals and throw. Everything that is not the compiled happy path lives in validateFallback, and that split is worth ~35% on a compiled schema.
const validate = ((schema, value, _ctx) => {
    const validator = schema._zod.bag.validator;
    if (validator !== undefined) {
        if (validator(value) !== COMPILE_INVALID)
            return true;
        // a definite sentinel means the runtime would reject, so skip the re-parse; a ctx can still change the answer
        if (validator.definite === true && _ctx === undefined)
            return false;
    }
    return validateFallback(schema, value, _ctx);
});
function validateFallback(schema, value, _ctx) {
    const ctx = _ctx
        ? { ..._ctx, async: false, abortEarly: true }
        : { async: false, abortEarly: true };
    const fallbackRun = schema._zod.bag.fallbackRun;
    let result;
    if (fallbackRun) {
        // skip nested fast paths on the fallback, so user callbacks keep the at-most-twice bound
        ctx[COMPILE_FALLBACK] = true;
        result = fallbackRun({ value, issues: [] }, ctx);
    }
    else {
        result = schema._zod.run({ value, issues: [] }, ctx);
    }
    if (result instanceof Promise) {
        throw new $ZodAsyncError();
    }
    return result.issues.length === 0;
}
// no fast path: the compiler keeps async parses on the runtime, because a promise-returning callback that is not declared async compiles to a throw
const parse_validateAsync = async (schema, value, _ctx) => {
    const ctx = _ctx
        ? { ..._ctx, async: true, abortEarly: true }
        : { async: true, abortEarly: true };
    let result = schema._zod.run({ value, issues: [] }, ctx);
    if (result instanceof Promise)
        result = await result;
    return result.issues.length === 0;
};
const _encode = (_Err) => {
    const parse = _parse(_Err);
    const fn = (schema, value, _ctx, _params) => {
        const ctx = _ctx ? { ..._ctx, direction: "backward" } : { direction: "backward" };
        return parse(schema, value, ctx, finalizeParams(fn, _params));
    };
    return fn;
};
const encode = /* @__PURE__*/ _encode($ZodRealError);
const _decode = (_Err) => {
    const parse = _parse(_Err);
    const fn = (schema, value, _ctx, _params) => {
        return parse(schema, value, _ctx, finalizeParams(fn, _params));
    };
    return fn;
};
const decode = /* @__PURE__*/ _decode($ZodRealError);
const _encodeAsync = (_Err) => {
    const parseAsync = _parseAsync(_Err);
    const fn = async (schema, value, _ctx, _params) => {
        const ctx = _ctx ? { ..._ctx, direction: "backward" } : { direction: "backward" };
        return (await parseAsync(schema, value, ctx, finalizeParams(fn, _params)));
    };
    return fn;
};
const encodeAsync = /* @__PURE__*/ _encodeAsync($ZodRealError);
const _decodeAsync = (_Err) => {
    const parseAsync = _parseAsync(_Err);
    const fn = async (schema, value, _ctx, _params) => {
        return await parseAsync(schema, value, _ctx, finalizeParams(fn, _params));
    };
    return fn;
};
const decodeAsync = /* @__PURE__*/ _decodeAsync($ZodRealError);
const _safeEncode = (_Err) => (schema, value, _ctx) => {
    const ctx = _ctx ? { ..._ctx, direction: "backward" } : { direction: "backward" };
    return _safeParse(_Err)(schema, value, ctx);
};
const safeEncode = /* @__PURE__*/ _safeEncode($ZodRealError);
const _safeDecode = (_Err) => (schema, value, _ctx) => {
    return _safeParse(_Err)(schema, value, _ctx);
};
const parse_safeDecode = /* @__PURE__*/ _safeDecode($ZodRealError);
const _safeEncodeAsync = (_Err) => async (schema, value, _ctx) => {
    const ctx = _ctx ? { ..._ctx, direction: "backward" } : { direction: "backward" };
    return _safeParseAsync(_Err)(schema, value, ctx);
};
const safeEncodeAsync = /* @__PURE__*/ _safeEncodeAsync($ZodRealError);
const _safeDecodeAsync = (_Err) => async (schema, value, _ctx) => {
    return _safeParseAsync(_Err)(schema, value, _ctx);
};
const safeDecodeAsync = /* @__PURE__*/ _safeDecodeAsync($ZodRealError);

;// CONCATENATED MODULE: ./node_modules/zod/v4/classic/errors.js



/* Prototypes that already carry the lazy helper methods. Seeded with the
 * intrinsics so that `init` on a foreign object — it accepts any object —
 * can never install an accessor onto a prototype we do not own. */
const _installedErrorProtos = /* @__PURE__ */ new WeakSet([Object.prototype, Error.prototype]);
/* Helper methods live as non-enumerable lazy getters on the shared
 * prototype instead of own properties on every instance. On first
 * access the getter allocates the per-instance closure and caches it
 * as a non-enumerable own property, so detached usage still works and
 * the allocation only happens for methods actually touched. */
function _lazyMethod(proto, key, make) {
    Object.defineProperty(proto, key, {
        configurable: true,
        enumerable: false,
        get() {
            const value = make(this);
            Object.defineProperty(this, key, { value, configurable: true, writable: true });
            return value;
        },
        set(value) {
            Object.defineProperty(this, key, { value, configurable: true, writable: true });
        },
    });
}
const errors_initializer = (inst, issues) => {
    $ZodError.init(inst, issues);
    inst.name = "ZodError";
    const proto = Object.getPrototypeOf(inst);
    if (_installedErrorProtos.has(proto))
        return;
    _installedErrorProtos.add(proto);
    _lazyMethod(proto, "format", (self) => (mapper) => formatError(self, mapper));
    _lazyMethod(proto, "flatten", (self) => (mapper) => flattenError(self, mapper));
    _lazyMethod(proto, "addIssue", (self) => (issue) => {
        self.issues.push(issue);
        self.message = JSON.stringify(self.issues, jsonStringifyReplacer, 2);
    });
    _lazyMethod(proto, "addIssues", (self) => (issues) => {
        self.issues.push(...issues);
        self.message = JSON.stringify(self.issues, jsonStringifyReplacer, 2);
    });
    Object.defineProperty(proto, "isEmpty", {
        configurable: true,
        enumerable: false,
        get() {
            return this.issues.length === 0;
        },
    });
};
const ZodError = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodError", errors_initializer)));
const ZodRealError = /*@__PURE__*/ $constructor("ZodError", errors_initializer, undefined, {
    Parent: Error,
});
// /** @deprecated Use `z.core.$ZodErrorMapCtx` instead. */
// export type ErrorMapCtx = core.$ZodErrorMapCtx;

;// CONCATENATED MODULE: ./node_modules/zod/v4/classic/parse.js


const classic_parse_parse = /* @__PURE__ */ _parse(ZodRealError);
const classic_parse_parseAsync = /* @__PURE__ */ _parseAsync(ZodRealError);
const parse_safeParse = /* @__PURE__ */ _safeParse(ZodRealError);
const parse_safeParseAsync = /* @__PURE__ */ _safeParseAsync(ZodRealError);

// Codec functions
const parse_encode = /* @__PURE__ */ _encode(ZodRealError);
const parse_decode = /* @__PURE__ */ _decode(ZodRealError);
const parse_encodeAsync = /* @__PURE__ */ _encodeAsync(ZodRealError);
const parse_decodeAsync = /* @__PURE__ */ _decodeAsync(ZodRealError);
const parse_safeEncode = /* @__PURE__ */ _safeEncode(ZodRealError);
const classic_parse_safeDecode = /* @__PURE__ */ _safeDecode(ZodRealError);
const parse_safeEncodeAsync = /* @__PURE__ */ _safeEncodeAsync(ZodRealError);
const parse_safeDecodeAsync = /* @__PURE__ */ _safeDecodeAsync(ZodRealError);

;// CONCATENATED MODULE: ./node_modules/zod/v4/classic/schemas.js








// Register English as the default locale on first ZodType construction. Hooked into the `ZodType` `$constructor` (rather than a top-level `config(en())` in `external.ts`) so bundlers honoring `sideEffects: false` can't tree-shake it out — see #5953, #5725. An explicit `z.config(z.locales.xx())` call wins regardless of order, since this only sets the default when none is present.
function _ensureDefaultLocale() {
    if (!globalConfig.localeError)
        config(en());
}
// the default memoizer is read by the core container init, which runs before `ZodType.init`, so each container calls this first
function _ensureDefaultMemoizer() {
    if (!globalConfig.memoizer)
        config({ memoizer: memoizer() });
}
const ZodType = /*@__PURE__*/ $constructor("ZodType", (inst, def) => {
    _ensureDefaultLocale();
    $ZodType.init(inst, def);
    inst.def = def;
    inst.type = def.type;
    return inst;
}, {
    check(...chks) {
        const def = this.def;
        return this.clone(mergeDefs(def, {
            checks: [
                ...(def.checks ?? []),
                ...chks.map((ch) => typeof ch === "function" ? { _zod: { check: ch, def: { check: "custom" }, onattach: [] } } : ch),
            ],
        }), { parent: true });
    },
    with(...chks) {
        return this.check(...chks);
    },
    clone(def, params) {
        return clone(this, def, params);
    },
    brand() {
        return this;
    },
    register(reg, meta) {
        reg.add(this, meta);
        return this;
    },
    refine(check, params) {
        return this.check(refine(check, params));
    },
    superRefine(refinement, params) {
        return this.check(superRefine(refinement, params));
    },
    overwrite(fn) {
        return this.check(_overwrite(fn));
    },
    optional() {
        return optional(this);
    },
    exactOptional() {
        return exactOptional(this);
    },
    nullable() {
        return nullable(this);
    },
    nullish() {
        return optional(nullable(this));
    },
    nonoptional(params) {
        return nonoptional(this, params);
    },
    array() {
        return array(this);
    },
    or(arg) {
        return union([this, arg]);
    },
    and(arg) {
        return intersection(this, arg);
    },
    transform(tx) {
        return pipe(this, transform(tx));
    },
    default(d) {
        return schemas_default(this, d);
    },
    prefault(d) {
        return prefault(this, d);
    },
    catch(params) {
        return schemas_catch(this, params);
    },
    pipe(target) {
        return pipe(this, target);
    },
    readonly() {
        return readonly(this);
    },
    describe(description) {
        const cl = this.clone();
        globalRegistry.add(cl, { description });
        return cl;
    },
    meta(...args) {
        // overloaded: meta() returns the registered metadata, meta(data) returns a clone with `data` registered. The mapped type picks up the second overload, so we accept variadic any-args and return `any` to satisfy both at runtime.
        if (args.length === 0)
            return globalRegistry.get(this);
        const cl = this.clone();
        globalRegistry.add(cl, args[0]);
        return cl;
    },
    isOptional() {
        return this.safeParse(undefined).success;
    },
    isNullable() {
        return this.safeParse(null).success;
    },
    apply(fn, ...args) {
        return args.length === 0 ? fn(this) : fn(this, ...args);
    },
    // Overrides core's `~standard` to add `jsonSchema`. Must stay a prototype entry: redefining it per instance demotes instances to dictionary mode.
    get "~standard"() {
        return hide(this, "~standard", {
            ...standardProps(this),
            jsonSchema: {
                input: createStandardJSONSchemaMethod(this, "input"),
                output: createStandardJSONSchemaMethod(this, "output"),
            },
        });
    },
    set "~standard"(value) {
        own(this, "~standard", value);
    },
    parse: function _parse(data, params) {
        return classic_parse_parse(this, data, params, { callee: _parse });
    },
    parseAsync: async function _parseAsync(data, params) {
        return await classic_parse_parseAsync(this, data, params, { callee: _parseAsync });
    },
    safeParse(data, params) {
        return parse_safeParse(this, data, params);
    },
    async safeParseAsync(data, params) {
        return parse_safeParseAsync(this, data, params);
    },
    // `spa` is an alias: same function object as `safeParseAsync`, as before.
    get spa() {
        return this?.safeParseAsync;
    },
    set spa(value) {
        own(this, "spa", value);
    },
    validate(data, params) {
        return validate(this, data, params);
    },
    validateAsync(data, params) {
        return parse_validateAsync(this, data, params);
    },
    encode: function _encode(data, params) {
        return parse_encode(this, data, params, { callee: _encode });
    },
    decode: function _decode(data, params) {
        return parse_decode(this, data, params, { callee: _decode });
    },
    encodeAsync: async function _encodeAsync(data, params) {
        return await parse_encodeAsync(this, data, params, { callee: _encodeAsync });
    },
    decodeAsync: async function _decodeAsync(data, params) {
        return await parse_decodeAsync(this, data, params, { callee: _decodeAsync });
    },
    safeEncode(data, params) {
        return parse_safeEncode(this, data, params);
    },
    safeDecode(data, params) {
        return classic_parse_safeDecode(this, data, params);
    },
    async safeEncodeAsync(data, params) {
        return parse_safeEncodeAsync(this, data, params);
    },
    async safeDecodeAsync(data, params) {
        return parse_safeDecodeAsync(this, data, params);
    },
    toJSONSchema(params) {
        return createToJSONSchemaMethod(this, {})(params);
    },
    // Reads through to the registry on every access, so it must not cache.
    get description() {
        return globalRegistry.get(this)?.description;
    },
    // No setter: `schema._def = x` throws, as it did when `_def` was a non-writable own property.
    get _def() {
        return this._zod.def;
    },
});
/** @internal */
const _ZodString = /*@__PURE__*/ $constructor("_ZodString", (inst, def) => {
    $ZodString.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => stringProcessor(inst, ctx, json, params);
}, 
/*@__PURE__*/ derived({
    format: (inst) => aggregateChecks(inst).format ?? null,
    minLength: (inst) => aggregateChecks(inst).minimum ?? null,
    maxLength: (inst) => aggregateChecks(inst).maximum ?? null,
}, {
    regex(...args) {
        return this.check(_regex(...args));
    },
    includes(...args) {
        return this.check(_includes(...args));
    },
    startsWith(...args) {
        return this.check(_startsWith(...args));
    },
    endsWith(...args) {
        return this.check(_endsWith(...args));
    },
    min(...args) {
        return this.check(_minLength(...args));
    },
    max(...args) {
        return this.check(_maxLength(...args));
    },
    length(...args) {
        return this.check(_length(...args));
    },
    nonempty(...args) {
        return this.check(_minLength(1, ...args));
    },
    lowercase(params) {
        return this.check(_lowercase(params));
    },
    uppercase(params) {
        return this.check(_uppercase(params));
    },
    trim() {
        return this.check(_trim());
    },
    normalize(...args) {
        return this.check(_normalize(...args));
    },
    toLowerCase() {
        return this.check(_toLowerCase());
    },
    toUpperCase() {
        return this.check(_toUpperCase());
    },
    slugify() {
        return this.check(_slugify());
    },
}));
const ZodString = /*@__PURE__*/ $constructor("ZodString", (inst, def) => {
    $ZodString.init(inst, def);
    _ZodString.init(inst, def);
}, {
    email(params) {
        return this.check(_email(ZodEmail, params));
    },
    url(params) {
        return this.check(_url(ZodURL, params));
    },
    jwt(params) {
        return this.check(_jwt(ZodJWT, params));
    },
    emoji(params) {
        return this.check(api_emoji(ZodEmoji, params));
    },
    guid(params) {
        return this.check(_guid(ZodGUID, params));
    },
    uuid(params) {
        return this.check(_uuid(ZodUUID, params));
    },
    uuidv4(params) {
        return this.check(_uuidv4(ZodUUID, params));
    },
    uuidv6(params) {
        return this.check(_uuidv6(ZodUUID, params));
    },
    uuidv7(params) {
        return this.check(_uuidv7(ZodUUID, params));
    },
    nanoid(params) {
        return this.check(_nanoid(ZodNanoID, params));
    },
    cuid(params) {
        return this.check(_cuid(ZodCUID, params));
    },
    cuid2(params) {
        return this.check(_cuid2(ZodCUID2, params));
    },
    ulid(params) {
        return this.check(_ulid(ZodULID, params));
    },
    base64(params) {
        return this.check(_base64(ZodBase64, params));
    },
    base64url(params) {
        return this.check(_base64url(ZodBase64URL, params));
    },
    xid(params) {
        return this.check(_xid(ZodXID, params));
    },
    ksuid(params) {
        return this.check(_ksuid(ZodKSUID, params));
    },
    ipv4(params) {
        return this.check(_ipv4(ZodIPv4, params));
    },
    ipv6(params) {
        return this.check(_ipv6(ZodIPv6, params));
    },
    cidrv4(params) {
        return this.check(_cidrv4(ZodCIDRv4, params));
    },
    cidrv6(params) {
        return this.check(_cidrv6(ZodCIDRv6, params));
    },
    e164(params) {
        return this.check(_e164(ZodE164, params));
    },
    datetime(params) {
        return this.check(_isoDateTime(ZodISODateTime, params));
    },
    date(params) {
        return this.check(_isoDate(ZodISODate, params));
    },
    time(params) {
        return this.check(_isoTime(ZodISOTime, params));
    },
    duration(params) {
        return this.check(_isoDuration(ZodISODuration, params));
    },
});
function schemas_string(params) {
    return _string(ZodString, params);
}
const ZodStringFormat = /*@__PURE__*/ $constructor("ZodStringFormat", (inst, def) => {
    $ZodStringFormat.init(inst, def);
    _ZodString.init(inst, def);
});
const ZodISODateTime = /*@__PURE__*/ $constructor("ZodISODateTime", (inst, def) => {
    $ZodISODateTime.init(inst, def);
    ZodStringFormat.init(inst, def);
});
const ZodISODate = /*@__PURE__*/ $constructor("ZodISODate", (inst, def) => {
    $ZodISODate.init(inst, def);
    ZodStringFormat.init(inst, def);
});
const ZodISOTime = /*@__PURE__*/ $constructor("ZodISOTime", (inst, def) => {
    $ZodISOTime.init(inst, def);
    ZodStringFormat.init(inst, def);
});
const ZodISODuration = /*@__PURE__*/ $constructor("ZodISODuration", (inst, def) => {
    $ZodISODuration.init(inst, def);
    ZodStringFormat.init(inst, def);
});
const ZodEmail = /*@__PURE__*/ $constructor("ZodEmail", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodEmail.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_email(params) {
    return core._email(ZodEmail, params);
}
const ZodGUID = /*@__PURE__*/ $constructor("ZodGUID", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodGUID.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_guid(params) {
    return core._guid(ZodGUID, params);
}
const ZodUUID = /*@__PURE__*/ $constructor("ZodUUID", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodUUID.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_uuid(params) {
    return core._uuid(ZodUUID, params);
}
function uuidv4(params) {
    return core._uuidv4(ZodUUID, params);
}
// ZodUUIDv6
function uuidv6(params) {
    return core._uuidv6(ZodUUID, params);
}
// ZodUUIDv7
function uuidv7(params) {
    return core._uuidv7(ZodUUID, params);
}
const ZodURL = /*@__PURE__*/ $constructor("ZodURL", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodURL.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function url(params) {
    return core._url(ZodURL, params);
}
function httpUrl(params) {
    return core._url(ZodURL, {
        protocol: regexes.httpProtocol,
        hostname: regexes.domain,
        ...util.normalizeParams(params),
    });
}
const ZodEmoji = /*@__PURE__*/ $constructor("ZodEmoji", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodEmoji.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_emoji(params) {
    return core._emoji(ZodEmoji, params);
}
const ZodNanoID = /*@__PURE__*/ $constructor("ZodNanoID", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodNanoID.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_nanoid(params) {
    return core._nanoid(ZodNanoID, params);
}
/**
 * @deprecated CUID v1 is deprecated by its authors due to information leakage
 * (timestamps embedded in the id). Use {@link ZodCUID2} instead.
 * See https://github.com/paralleldrive/cuid.
 */
const ZodCUID = /*@__PURE__*/ $constructor("ZodCUID", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodCUID.init(inst, def);
    ZodStringFormat.init(inst, def);
});
/**
 * Validates a CUID v1 string.
 *
 * @deprecated CUID v1 is deprecated by its authors due to information leakage
 * (timestamps embedded in the id). Use {@link cuid2 | `z.cuid2()`} instead.
 * See https://github.com/paralleldrive/cuid.
 */
function schemas_cuid(params) {
    return core._cuid(ZodCUID, params);
}
const ZodCUID2 = /*@__PURE__*/ $constructor("ZodCUID2", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodCUID2.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_cuid2(params) {
    return core._cuid2(ZodCUID2, params);
}
const ZodULID = /*@__PURE__*/ $constructor("ZodULID", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodULID.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_ulid(params) {
    return core._ulid(ZodULID, params);
}
const ZodXID = /*@__PURE__*/ $constructor("ZodXID", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodXID.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_xid(params) {
    return core._xid(ZodXID, params);
}
const ZodKSUID = /*@__PURE__*/ $constructor("ZodKSUID", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodKSUID.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_ksuid(params) {
    return core._ksuid(ZodKSUID, params);
}
const ZodIPv4 = /*@__PURE__*/ $constructor("ZodIPv4", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodIPv4.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_ipv4(params) {
    return core._ipv4(ZodIPv4, params);
}
const ZodMAC = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodMAC", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    core.$ZodMAC.init(inst, def);
    ZodStringFormat.init(inst, def);
})));
function schemas_mac(params) {
    return core._mac(ZodMAC, params);
}
const ZodIPv6 = /*@__PURE__*/ $constructor("ZodIPv6", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodIPv6.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_ipv6(params) {
    return core._ipv6(ZodIPv6, params);
}
const ZodCIDRv4 = /*@__PURE__*/ $constructor("ZodCIDRv4", (inst, def) => {
    $ZodCIDRv4.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_cidrv4(params) {
    return core._cidrv4(ZodCIDRv4, params);
}
const ZodCIDRv6 = /*@__PURE__*/ $constructor("ZodCIDRv6", (inst, def) => {
    $ZodCIDRv6.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_cidrv6(params) {
    return core._cidrv6(ZodCIDRv6, params);
}
const ZodBase64 = /*@__PURE__*/ $constructor("ZodBase64", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodBase64.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_base64(params) {
    return core._base64(ZodBase64, params);
}
const ZodBase64URL = /*@__PURE__*/ $constructor("ZodBase64URL", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodBase64URL.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_base64url(params) {
    return core._base64url(ZodBase64URL, params);
}
const ZodE164 = /*@__PURE__*/ $constructor("ZodE164", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodE164.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function schemas_e164(params) {
    return core._e164(ZodE164, params);
}
const ZodCreditCard = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodCreditCard", (inst, def) => {
    core.$ZodCreditCard.init(inst, def);
    ZodStringFormat.init(inst, def);
})));
function schemas_creditCard(params) {
    return core._creditCard(ZodCreditCard, params);
}
const ZodIBAN = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodIBAN", (inst, def) => {
    core.$ZodIBAN.init(inst, def);
    ZodStringFormat.init(inst, def);
})));
function schemas_iban(params) {
    return core._iban(ZodIBAN, params);
}
const ZodJWT = /*@__PURE__*/ $constructor("ZodJWT", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    $ZodJWT.init(inst, def);
    ZodStringFormat.init(inst, def);
});
function jwt(params) {
    return core._jwt(ZodJWT, params);
}
const ZodCustomStringFormat = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodCustomStringFormat", (inst, def) => {
    // ZodStringFormat.init(inst, def);
    core.$ZodCustomStringFormat.init(inst, def);
    ZodStringFormat.init(inst, def);
})));
function stringFormat(format, fnOrRegex, _params = {}) {
    return core._stringFormat(ZodCustomStringFormat, format, fnOrRegex, _params);
}
function schemas_hostname(_params) {
    return core._stringFormat(ZodCustomStringFormat, "hostname", regexes.hostname, _params);
}
function schemas_hex(_params) {
    return core._stringFormat(ZodCustomStringFormat, "hex", regexes.hex, _params);
}
function schemas_currencyCode(_params) {
    return core._stringFormat(ZodCustomStringFormat, "currency_code", regexes.currencyCode, _params);
}
function hash(alg, params) {
    const enc = params?.enc ?? "hex";
    const format = `${alg}_${enc}`;
    const regex = core.regexes[format];
    if (!regex)
        throw new Error(`Unrecognized hash format: ${format}`);
    return core._stringFormat(ZodCustomStringFormat, format, regex, params);
}
const ZodNumber = /*@__PURE__*/ $constructor("ZodNumber", (inst, def) => {
    $ZodNumber.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => numberProcessor(inst, ctx, json, params);
    inst.isFinite = true;
}, 
/*@__PURE__*/ derived({
    minValue: (inst) => {
        const { minimum, exclusiveMinimum } = aggregateChecks(inst);
        return Math.max(minimum ?? Number.NEGATIVE_INFINITY, exclusiveMinimum ?? Number.NEGATIVE_INFINITY);
    },
    maxValue: (inst) => {
        const { maximum, exclusiveMaximum } = aggregateChecks(inst);
        return Math.min(maximum ?? Number.POSITIVE_INFINITY, exclusiveMaximum ?? Number.POSITIVE_INFINITY);
    },
    isInt: (inst) => {
        const { isInt, multipleOf } = aggregateChecks(inst);
        return !!isInt || !!multipleOf?.some(Number.isSafeInteger);
    },
    format: (inst) => aggregateChecks(inst).format ?? null,
}, {
    gt(value, params) {
        return this.check(_gt(value, params));
    },
    gte(value, params) {
        return this.check(_gte(value, params));
    },
    min(value, params) {
        return this.check(_gte(value, params));
    },
    lt(value, params) {
        return this.check(_lt(value, params));
    },
    lte(value, params) {
        return this.check(_lte(value, params));
    },
    max(value, params) {
        return this.check(_lte(value, params));
    },
    int(params) {
        return this.check(schemas_int(params));
    },
    safe(params) {
        return this.check(schemas_int(params));
    },
    positive(params) {
        return this.check(_gt(0, params));
    },
    nonnegative(params) {
        return this.check(_gte(0, params));
    },
    negative(params) {
        return this.check(_lt(0, params));
    },
    nonpositive(params) {
        return this.check(_lte(0, params));
    },
    multipleOf(value, params) {
        return this.check(_multipleOf(value, params));
    },
    step(value, params) {
        return this.check(_multipleOf(value, params));
    },
    finite() {
        return this;
    },
}));
function schemas_number(params) {
    return core._number(ZodNumber, params);
}
const ZodNumberFormat = /*@__PURE__*/ $constructor("ZodNumberFormat", (inst, def) => {
    $ZodNumberFormat.init(inst, def);
    ZodNumber.init(inst, def);
});
function schemas_int(params) {
    return _int(ZodNumberFormat, params);
}
function float32(params) {
    return core._float32(ZodNumberFormat, params);
}
function float64(params) {
    return core._float64(ZodNumberFormat, params);
}
function int32(params) {
    return core._int32(ZodNumberFormat, params);
}
function uint32(params) {
    return core._uint32(ZodNumberFormat, params);
}
const ZodBoolean = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodBoolean", (inst, def) => {
    core.$ZodBoolean.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.booleanProcessor(inst, ctx, json, params);
})));
function schemas_boolean(params) {
    return core._boolean(ZodBoolean, params);
}
const ZodBigInt = /*@__PURE__*/ $constructor("ZodBigInt", (inst, def) => {
    $ZodBigInt.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => bigintProcessor(inst, ctx, json, params);
}, 
/*@__PURE__*/ derived({
    minValue: (inst) => aggregateChecks(inst).minimum ?? null,
    maxValue: (inst) => aggregateChecks(inst).maximum ?? null,
    format: (inst) => aggregateChecks(inst).format ?? null,
}, {
    gte(value, params) {
        return this.check(_gte(value, params));
    },
    min(value, params) {
        return this.check(_gte(value, params));
    },
    gt(value, params) {
        return this.check(_gt(value, params));
    },
    lt(value, params) {
        return this.check(_lt(value, params));
    },
    lte(value, params) {
        return this.check(_lte(value, params));
    },
    max(value, params) {
        return this.check(_lte(value, params));
    },
    positive(params) {
        return this.check(_gt(BigInt(0), params));
    },
    negative(params) {
        return this.check(_lt(BigInt(0), params));
    },
    nonpositive(params) {
        return this.check(_lte(BigInt(0), params));
    },
    nonnegative(params) {
        return this.check(_gte(BigInt(0), params));
    },
    multipleOf(value, params) {
        return this.check(_multipleOf(value, params));
    },
}));
function schemas_bigint(params) {
    return core._bigint(ZodBigInt, params);
}
const ZodBigIntFormat = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodBigIntFormat", (inst, def) => {
    core.$ZodBigIntFormat.init(inst, def);
    ZodBigInt.init(inst, def);
})));
function int64(params) {
    return core._int64(ZodBigIntFormat, params);
}
function uint64(params) {
    return core._uint64(ZodBigIntFormat, params);
}
const ZodSymbol = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodSymbol", (inst, def) => {
    core.$ZodSymbol.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.symbolProcessor(inst, ctx, json, params);
})));
function symbol(params) {
    return core._symbol(ZodSymbol, params);
}
const ZodUndefined = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodUndefined", (inst, def) => {
    core.$ZodUndefined.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.undefinedProcessor(inst, ctx, json, params);
})));
function schemas_undefined(params) {
    return core._undefined(ZodUndefined, params);
}

const ZodNull = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodNull", (inst, def) => {
    core.$ZodNull.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.nullProcessor(inst, ctx, json, params);
})));
function schemas_null(params) {
    return core._null(ZodNull, params);
}

const ZodAny = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodAny", (inst, def) => {
    core.$ZodAny.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.anyProcessor(inst, ctx, json, params);
})));
function any() {
    return core._any(ZodAny);
}
const ZodUnknown = /*@__PURE__*/ $constructor("ZodUnknown", (inst, def) => {
    $ZodUnknown.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => unknownProcessor(inst, ctx, json, params);
});
function unknown() {
    return _unknown(ZodUnknown);
}
const ZodNever = /*@__PURE__*/ $constructor("ZodNever", (inst, def) => {
    $ZodNever.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => neverProcessor(inst, ctx, json, params);
});
function never(params) {
    return _never(ZodNever, params);
}
const ZodVoid = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodVoid", (inst, def) => {
    core.$ZodVoid.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.voidProcessor(inst, ctx, json, params);
})));
function schemas_void(params) {
    return core._void(ZodVoid, params);
}

const ZodDate = /*@__PURE__*/ $constructor("ZodDate", (inst, def) => {
    $ZodDate.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => dateProcessor(inst, ctx, json, params);
    inst.min = (value, params) => inst.check(_gte(value, params));
    inst.max = (value, params) => inst.check(_lte(value, params));
}, 
/*@__PURE__*/ derived({
    minDate: (inst) => {
        const { minimum } = aggregateChecks(inst);
        return minimum ? new Date(minimum) : null;
    },
    maxDate: (inst) => {
        const { maximum } = aggregateChecks(inst);
        return maximum ? new Date(maximum) : null;
    },
}, {}));
function schemas_date(params) {
    return core._date(ZodDate, params);
}
const ZodArray = /*@__PURE__*/ $constructor("ZodArray", (inst, def) => {
    _ensureDefaultMemoizer();
    $ZodArray.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => arrayProcessor(inst, ctx, json, params);
    inst.element = def.element;
}, {
    min(n, params) {
        return this.check(_minLength(n, params));
    },
    nonempty(params) {
        return this.check(_minLength(1, params));
    },
    max(n, params) {
        return this.check(_maxLength(n, params));
    },
    length(n, params) {
        return this.check(_length(n, params));
    },
    unwrap() {
        return this.element;
    },
});
function array(element, params) {
    return _array(ZodArray, element, params);
}
// .keyof
function keyof(schema) {
    const shape = schema._zod.def.shape;
    return schemas_enum(Object.keys(shape));
}
const ZodObject = /*@__PURE__*/ $constructor("ZodObject", (inst, def) => {
    _ensureDefaultMemoizer();
    $ZodObjectJIT.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => objectProcessor(inst, ctx, json, params);
    installLazyProp(inst, "shape", (self) => self._zod.def.shape, false);
}, {
    keyof() {
        return schemas_enum(Object.keys(this._zod.def.shape));
    },
    catchall(catchall) {
        // `mergeDefs` rather than a spread: spreading reads `shape`, and resolving it can mint a whole fresh subtree
        return this.clone(mergeDefs(this._zod.def, { catchall: catchall }));
    },
    passthrough() {
        return this.clone(mergeDefs(this._zod.def, { catchall: unknown() }));
    },
    loose() {
        return this.clone(mergeDefs(this._zod.def, { catchall: unknown() }));
    },
    strict() {
        return this.clone(mergeDefs(this._zod.def, { catchall: never() }));
    },
    strip() {
        return this.clone(mergeDefs(this._zod.def, { catchall: undefined }));
    },
    extend(incoming) {
        return extend(this, incoming);
    },
    safeExtend(incoming) {
        return safeExtend(this, incoming);
    },
    merge(other) {
        return merge(this, other);
    },
    pick(mask) {
        return pick(this, mask);
    },
    omit(mask) {
        return omit(this, mask);
    },
    partial(...args) {
        return partial(ZodOptional, this, args[0]);
    },
    exactPartial(...args) {
        return partial(ZodExactOptional, this, args[0], "exactPartial");
    },
    required(...args) {
        return required(ZodNonOptional, this, args[0]);
    },
});
function object(shape, params) {
    const def = {
        type: "object",
        shape: shape ?? {},
        ...normalizeParams(params),
    };
    return new ZodObject(def);
}
// strictObject
function strictObject(shape, params) {
    return new ZodObject({
        type: "object",
        shape,
        catchall: never(),
        ...util.normalizeParams(params),
    });
}
// looseObject
function looseObject(shape, params) {
    return new ZodObject({
        type: "object",
        shape,
        catchall: unknown(),
        ...util.normalizeParams(params),
    });
}
const ZodUnion = /*@__PURE__*/ $constructor("ZodUnion", (inst, def) => {
    $ZodUnion.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => unionProcessor(inst, ctx, json, params);
    inst.options = def.options;
});
function union(options, params) {
    return new ZodUnion({
        type: "union",
        options: options,
        ...normalizeParams(params),
    });
}
const ZodXor = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodXor", (inst, def) => {
    ZodUnion.init(inst, def);
    core.$ZodXor.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.unionProcessor(inst, ctx, json, params);
    inst.options = def.options;
})));
/** Creates an exclusive union (XOR) where exactly one option must match.
 * Unlike regular unions that succeed when any option matches, xor fails if
 * zero or more than one option matches the input. */
function xor(options, params) {
    return new ZodXor({
        type: "union",
        options: options,
        inclusive: false,
        ...util.normalizeParams(params),
    });
}
const ZodDiscriminatedUnion = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodDiscriminatedUnion", (inst, def) => {
    ZodUnion.init(inst, def);
    core.$ZodDiscriminatedUnion.init(inst, def);
})));
function discriminatedUnion(discriminator, options, params) {
    // const [options, params] = args;
    return new ZodDiscriminatedUnion({
        type: "union",
        options: options,
        discriminator,
        ...util.normalizeParams(params),
    });
}
const ZodIntersection = /*@__PURE__*/ $constructor("ZodIntersection", (inst, def) => {
    $ZodIntersection.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => intersectionProcessor(inst, ctx, json, params);
});
function intersection(left, right) {
    return new ZodIntersection({
        type: "intersection",
        left: left,
        right: right,
    });
}
const ZodTuple = /*@__PURE__*/ $constructor("ZodTuple", (inst, def) => {
    _ensureDefaultMemoizer();
    $ZodTuple.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => tupleProcessor(inst, ctx, json, params);
}, {
    rest(rest) {
        return this.clone({
            ...this._zod.def,
            rest: rest,
        });
    },
    partial() {
        const def = this._zod.def;
        // a refinement was authored against the full arity; partialing would run it on a shorter array
        if (def.checks?.length)
            throw new Error(".partial() cannot be used on tuple schemas containing refinements");
        return this.clone({
            ...def,
            items: def.items.map((item) => new ZodOptional({ type: "optional", innerType: item })),
        });
    },
});
function tuple(items, _paramsOrRest, _params) {
    const hasRest = _paramsOrRest instanceof core.$ZodType;
    const params = hasRest ? _params : _paramsOrRest;
    const rest = hasRest ? _paramsOrRest : null;
    return new ZodTuple({
        type: "tuple",
        items: items,
        rest,
        ...util.normalizeParams(params),
    });
}
const ZodRecord = /*@__PURE__*/ $constructor("ZodRecord", (inst, def) => {
    _ensureDefaultMemoizer();
    $ZodRecord.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => recordProcessor(inst, ctx, json, params);
    inst.keyType = def.keyType;
    inst.valueType = def.valueType;
});
function record(keyType, valueType, params) {
    // v3-compat: z.record(valueType, params?) — defaults keyType to z.string()
    if (!valueType || !valueType._zod) {
        return new ZodRecord({
            type: "record",
            keyType: schemas_string(),
            valueType: keyType,
            ...normalizeParams(valueType),
        });
    }
    return new ZodRecord({
        type: "record",
        keyType,
        valueType: valueType,
        ...normalizeParams(params),
    });
}
// type alksjf = core.output<core.$ZodRecordKey>;
function partialRecord(keyType, valueType, params) {
    return new ZodRecord({
        type: "record",
        keyType,
        valueType: valueType,
        ...util.normalizeParams(params),
        partial: true,
    });
}
function looseRecord(keyType, valueType, params) {
    return new ZodRecord({
        type: "record",
        keyType,
        valueType: valueType,
        mode: "loose",
        ...util.normalizeParams(params),
    });
}
const ZodMap = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodMap", (inst, def) => {
    _ensureDefaultMemoizer();
    core.$ZodMap.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.mapProcessor(inst, ctx, json, params);
    inst.keyType = def.keyType;
    inst.valueType = def.valueType;
    inst.min = (...args) => inst.check(core._minSize(...args));
    inst.nonempty = (params) => inst.check(core._minSize(1, params));
    inst.max = (...args) => inst.check(core._maxSize(...args));
    inst.size = (...args) => inst.check(core._size(...args));
})));
function map(keyType, valueType, params) {
    return new ZodMap({
        type: "map",
        keyType: keyType,
        valueType: valueType,
        ...util.normalizeParams(params),
    });
}
const ZodSet = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodSet", (inst, def) => {
    _ensureDefaultMemoizer();
    core.$ZodSet.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.setProcessor(inst, ctx, json, params);
    inst.min = (...args) => inst.check(core._minSize(...args));
    inst.nonempty = (params) => inst.check(core._minSize(1, params));
    inst.max = (...args) => inst.check(core._maxSize(...args));
    inst.size = (...args) => inst.check(core._size(...args));
})));
function set(valueType, params) {
    return new ZodSet({
        type: "set",
        valueType: valueType,
        ...util.normalizeParams(params),
    });
}
const ZodEnum = /*@__PURE__*/ $constructor("ZodEnum", (inst, def) => {
    $ZodEnum.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => enumProcessor(inst, ctx, json, params);
    inst.enum = def.entries;
    // reuse the parsed value set so a numeric TS enum's reverse-mapping keys stay out
    inst.options = [...inst._zod.values];
    const keys = new Set(Object.keys(def.entries));
    inst.extract = (values, params) => {
        const newEntries = {};
        for (const value of values) {
            if (keys.has(value)) {
                newEntries[value] = def.entries[value];
            }
            else
                throw new Error(`Key ${value} not found in enum`);
        }
        return new ZodEnum({
            ...def,
            checks: [],
            ...normalizeParams(params),
            entries: newEntries,
        });
    };
    inst.exclude = (values, params) => {
        const newEntries = { ...def.entries };
        for (const value of values) {
            if (keys.has(value)) {
                delete newEntries[value];
            }
            else
                throw new Error(`Key ${value} not found in enum`);
        }
        return new ZodEnum({
            ...def,
            checks: [],
            ...normalizeParams(params),
            entries: newEntries,
        });
    };
});
function schemas_enum(values, params) {
    const entries = Array.isArray(values) ? Object.fromEntries(values.map((v) => [v, v])) : values;
    return new ZodEnum({
        type: "enum",
        entries,
        ...normalizeParams(params),
    });
}

/** @deprecated This API has been merged into `z.enum()`. Use `z.enum()` instead.
 *
 * ```ts
 * enum Colors { red, green, blue }
 * z.enum(Colors);
 * ```
 */
function nativeEnum(entries, params) {
    return new ZodEnum({
        type: "enum",
        entries,
        ...util.normalizeParams(params),
    });
}
const ZodLiteral = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodLiteral", (inst, def) => {
    core.$ZodLiteral.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.literalProcessor(inst, ctx, json, params);
    inst.values = new Set(def.values);
    Object.defineProperty(inst, "value", {
        get() {
            if (def.values.length > 1) {
                throw new Error("This schema contains multiple valid literal values. Use `.values` instead.");
            }
            return def.values[0];
        },
    });
})));
function literal(value, params) {
    return new ZodLiteral({
        type: "literal",
        values: Array.isArray(value) ? value : [value],
        ...util.normalizeParams(params),
    });
}
const ZodFile = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodFile", (inst, def) => {
    core.$ZodFile.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.fileProcessor(inst, ctx, json, params);
    inst.min = (size, params) => inst.check(core._minSize(size, params));
    inst.max = (size, params) => inst.check(core._maxSize(size, params));
    inst.mime = (types, params) => inst.check(core._mime(Array.isArray(types) ? types : [types], params));
})));
function file(params) {
    return core._file(ZodFile, params);
}
const ZodTransform = /*@__PURE__*/ $constructor("ZodTransform", (inst, def) => {
    _ensureDefaultMemoizer();
    $ZodTransform.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => transformProcessor(inst, ctx, json, params);
    inst._zod.parse = (payload, _ctx) => {
        if (_ctx.direction === "backward") {
            throw new $ZodEncodeError(inst.constructor.name);
        }
        payload.addIssue = (issue) => {
            if (typeof issue === "string") {
                payload.issues.push(util_issue(issue, payload.value, def));
            }
            else {
                // for Zod 3 backwards compatibility
                const _issue = issue;
                if (_issue.fatal)
                    _issue.continue = false;
                _issue.code ?? (_issue.code = "custom");
                if (!("input" in _issue))
                    _issue.input = payload.value;
                _issue.inst ?? (_issue.inst = inst);
                // _issue.continue ??= true;
                payload.issues.push(util_issue(_issue));
            }
        };
        const output = def.transform(payload.value, payload);
        if (output instanceof Promise) {
            return output.then((output) => {
                payload.value = output;
                return payload;
            });
        }
        payload.value = output;
        return payload;
    };
});
function transform(fn) {
    return new ZodTransform({
        type: "transform",
        transform: fn,
    });
}
const ZodOptional = /*@__PURE__*/ $constructor("ZodOptional", (inst, def) => {
    $ZodOptional.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => optionalProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
});
function optional(innerType) {
    return new ZodOptional({
        type: "optional",
        innerType: innerType,
    });
}
const ZodExactOptional = /*@__PURE__*/ $constructor("ZodExactOptional", (inst, def) => {
    $ZodExactOptional.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => optionalProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
});
function exactOptional(innerType) {
    return new ZodExactOptional({
        type: "optional",
        innerType: innerType,
    });
}
const ZodNullable = /*@__PURE__*/ $constructor("ZodNullable", (inst, def) => {
    $ZodNullable.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => nullableProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
});
function nullable(innerType) {
    return new ZodNullable({
        type: "nullable",
        innerType: innerType,
    });
}
// nullish
function schemas_nullish(innerType) {
    return optional(nullable(innerType));
}
const ZodDefault = /*@__PURE__*/ $constructor("ZodDefault", (inst, def) => {
    $ZodDefault.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => defaultProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
    inst.removeDefault = inst.unwrap;
});
function schemas_default(innerType, defaultValue) {
    return new ZodDefault({
        type: "default",
        innerType: innerType,
        get defaultValue() {
            return typeof defaultValue === "function" ? defaultValue() : shallowClone(defaultValue);
        },
    });
}
const ZodPrefault = /*@__PURE__*/ $constructor("ZodPrefault", (inst, def) => {
    $ZodPrefault.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => prefaultProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
});
function prefault(innerType, defaultValue) {
    return new ZodPrefault({
        type: "prefault",
        innerType: innerType,
        get defaultValue() {
            return typeof defaultValue === "function" ? defaultValue() : shallowClone(defaultValue);
        },
    });
}
const ZodNonOptional = /*@__PURE__*/ $constructor("ZodNonOptional", (inst, def) => {
    $ZodNonOptional.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => nonoptionalProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
});
function nonoptional(innerType, params) {
    return new ZodNonOptional({
        type: "nonoptional",
        innerType: innerType,
        ...normalizeParams(params),
    });
}
const ZodSuccess = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodSuccess", (inst, def) => {
    core.$ZodSuccess.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.successProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
})));
function success(innerType) {
    return new ZodSuccess({
        type: "success",
        innerType: innerType,
    });
}
const ZodCatch = /*@__PURE__*/ $constructor("ZodCatch", (inst, def) => {
    $ZodCatch.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => catchProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
    inst.removeCatch = inst.unwrap;
});
function schemas_catch(innerType, catchValue) {
    return new ZodCatch({
        type: "catch",
        innerType: innerType,
        catchValue: (typeof catchValue === "function" ? catchValue : constantCatch(catchValue)),
    });
}

const ZodNaN = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodNaN", (inst, def) => {
    core.$ZodNaN.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.nanProcessor(inst, ctx, json, params);
})));
function nan(params) {
    return core._nan(ZodNaN, params);
}
const ZodPipe = /*@__PURE__*/ $constructor("ZodPipe", (inst, def) => {
    $ZodPipe.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => pipeProcessor(inst, ctx, json, params);
    inst.in = def.in;
    inst.out = def.out;
});
function pipe(in_, out) {
    return new ZodPipe({
        type: "pipe",
        in: in_,
        out: out,
        // ...util.normalizeParams(params),
    });
}
const ZodCodec = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodCodec", (inst, def) => {
    ZodPipe.init(inst, def);
    core.$ZodCodec.init(inst, def);
})));
function codec(in_, out, params) {
    return new ZodCodec({
        type: "pipe",
        in: in_,
        out: out,
        transform: params.decode,
        reverseTransform: params.encode,
    });
}
function invertCodec(codec) {
    const def = codec._zod.def;
    return new ZodCodec({
        type: "pipe",
        in: def.out,
        out: def.in,
        transform: def.reverseTransform,
        reverseTransform: def.transform,
    });
}
const ZodPreprocess = /*@__PURE__*/ $constructor("ZodPreprocess", (inst, def) => {
    ZodPipe.init(inst, def);
    $ZodPreprocess.init(inst, def);
});
const ZodReadonly = /*@__PURE__*/ $constructor("ZodReadonly", (inst, def) => {
    $ZodReadonly.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => readonlyProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
});
function readonly(innerType) {
    return new ZodReadonly({
        type: "readonly",
        innerType: innerType,
    });
}
const ZodTemplateLiteral = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodTemplateLiteral", (inst, def) => {
    core.$ZodTemplateLiteral.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.templateLiteralProcessor(inst, ctx, json, params);
})));
function templateLiteral(parts, params) {
    return new ZodTemplateLiteral({
        type: "template_literal",
        parts,
        ...util.normalizeParams(params),
    });
}
const ZodLazy = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodLazy", (inst, def) => {
    core.$ZodLazy.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.lazyProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.getter();
})));
function lazy(getter) {
    return new ZodLazy({
        type: "lazy",
        getter: getter,
    });
}
const ZodPromise = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodPromise", (inst, def) => {
    core.$ZodPromise.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.promiseProcessor(inst, ctx, json, params);
    inst.unwrap = () => inst._zod.def.innerType;
})));
function promise(innerType) {
    return new ZodPromise({
        type: "promise",
        innerType: innerType,
    });
}
const ZodFunction = /*@__PURE__*/ (/* unused pure expression or super */ null && (core.$constructor("ZodFunction", (inst, def) => {
    core.$ZodFunction.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => processors.functionProcessor(inst, ctx, json, params);
})));
function _function(params) {
    return new ZodFunction({
        type: "function",
        input: Array.isArray(params?.input) ? tuple(params?.input) : (params?.input ?? array(unknown())),
        output: params?.output ?? unknown(),
    });
}

const ZodCustom = /*@__PURE__*/ $constructor("ZodCustom", (inst, def) => {
    $ZodCustom.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => customProcessor(inst, ctx, json, params);
});
// custom checks
function check(fn) {
    const ch = new core.$ZodCheck({
        check: "custom",
        // ...util.normalizeParams(params),
    });
    ch._zod.check = fn;
    return ch;
}
function custom(fn, _params) {
    return core._custom(ZodCustom, fn ?? (() => true), _params);
}
function refine(fn, _params = {}) {
    return _refine(ZodCustom, fn, _params);
}
// superRefine
function superRefine(fn, params) {
    return _superRefine(fn, params);
}
// Re-export describe and meta from core
const schemas_describe = describe;
const schemas_meta = meta;
const ZodInstanceOf = /*@__PURE__*/ $constructor("ZodInstanceOf", (inst, def) => {
    ZodCustom.init(inst, def);
}, {
    properties(shape, params) {
        // asserts in place, so the narrowed output type is truthful without a wrapper
        return this.check(_properties(shape, params));
    },
});
function _instanceof(cls, params = {}) {
    const inst = new ZodInstanceOf({
        type: "custom",
        check: "custom",
        fn: (data) => data instanceof cls,
        abort: true,
        ...util.normalizeParams(params),
    });
    inst._zod.bag.Class = cls;
    // Override check to emit invalid_type instead of custom
    inst._zod.check = (payload) => {
        if (!(payload.value instanceof cls)) {
            payload.issues.push({
                code: "invalid_type",
                expected: cls.name,
                input: payload.value,
                inst,
                path: [...(inst._zod.def.path ?? [])],
            });
        }
    };
    return inst;
}

// stringbool
const stringbool = (...args) => core._stringbool({
    Codec: ZodCodec,
    Boolean: ZodBoolean,
    String: ZodString,
}, ...args);
function json(params) {
    const jsonSchema = lazy(() => {
        return union([schemas_string(params), schemas_number(), schemas_boolean(), schemas_null(), array(jsonSchema), record(schemas_string(), jsonSchema)]);
    });
    return jsonSchema;
}
// preprocess
function preprocess(fn, schema) {
    return new ZodPreprocess({
        type: "pipe",
        in: transform(fn),
        out: schema,
    });
}

;// CONCATENATED MODULE: ./src/delivery/signing.ts
/**
 * Request signing, one function per scheme. The four look alike and are easy to mix up
 * (USER_VOICES #1), so each names its key, message, encoding and unit explicitly.
 */

/**
 * DingTalk (API_FACTS §A.5): key = secret, message = `${ms}\n${secret}`, base64. The caller puts
 * `timestamp` and `sign` in the query with URLSearchParams, which URL-encodes exactly once.
 */
function dingtalkSign(secret, nowMs) {
    const timestamp = String(nowMs); // milliseconds
    const sign = (0,external_node_crypto_.createHmac)('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
    return { timestamp, sign };
}
/** Adds DingTalk's `timestamp` and `sign` to a webhook URL, keeping access_token. */
function dingtalkSignedUrl(webhook, secret, nowMs) {
    const { timestamp, sign } = dingtalkSign(secret, nowMs);
    const url = new URL(webhook);
    url.searchParams.set('timestamp', timestamp);
    url.searchParams.set('sign', sign);
    return url.toString();
}
/**
 * Lark/Feishu custom bot (API_FACTS §C.5): key = `${seconds}\n${secret}`, message = EMPTY, base64.
 * Both go into the JSON body as strings, not encoded.
 */
function larkSign(secret, nowMs) {
    const timestamp = String(Math.floor(nowMs / 1000)); // seconds
    const sign = (0,external_node_crypto_.createHmac)('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
    return { timestamp, sign };
}
/** GitHub-compatible body signature (API_FACTS §F.1): `sha256=<hex HMAC of the raw body>`. */
function hubSignature(body, secret, algorithm) {
    return `${algorithm}=${(0,external_node_crypto_.createHmac)(algorithm, secret).update(body, 'utf8').digest('hex')}`;
}
/**
 * Standard Webhooks (API_FACTS §F.2): key = base64-decoded secret (after `whsec_`), message =
 * `${id}.${seconds}.${body}`, header value `v1,<base64>`.
 */
function standardWebhookSignature(id, timestampSeconds, body, secret) {
    const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
    const sig = (0,external_node_crypto_.createHmac)('sha256', key).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64');
    return `v1,${sig}`;
}

;// CONCATENATED MODULE: ./src/render/text.ts
/**
 * Text helpers every channel shares: byte-aware truncation and making untrusted repository text
 * (commit messages, branch and author names) safe in chat markup and HTML.
 *
 * Untrusted text must never mention anyone, break the message markup, or inject HTML (DESIGN §4).
 * Channels use, for each UNTRUSTED value:
 *   DingTalk markdown / actionCard text  escapeDingTalkMarkdown(value)
 *   WeCom markdown                        escapeWeComMarkdown(value)
 *   Lark card lark_md                     escapeLarkMd(value)
 *   plain text anywhere (text messages)   neutralizeMentions(value)
 *   HTML (e-mail)                         escapeHtml(value)
 *   a link target in any markup           safeUrl(url) — null means "show it as text, do not link"
 * and truncateUtf8 on the result to meet the platform's byte limit.
 */
const TRUNCATION_MARKER = '…(truncated)';
function utf8Bytes(text) {
    return Buffer.byteLength(text, 'utf8');
}
// Grapheme clusters, so a cut never separates an emoji from its skin tone, a ZWJ family or a
// flag's second half, nor a letter from its combining accent. Node ships full ICU; the code-point
// fallback still never splits a surrogate pair.
const graphemes = typeof Intl !== 'undefined' && typeof Intl.Segmenter === 'function' ? new Intl.Segmenter('und', { granularity: 'grapheme' }) : null;
/** The longest prefix of `text` of at most `budget` UTF-8 bytes that ends on a character boundary. */
function prefixWithinBytes(text, budget) {
    let used = 0;
    let end = 0;
    const pieces = graphemes ? segmentStrings(graphemes, text) : text;
    for (const piece of pieces) {
        const n = utf8Bytes(piece);
        if (used + n > budget)
            break;
        used += n;
        end += piece.length;
    }
    return text.slice(0, end);
}
function* segmentStrings(segmenter, text) {
    for (const s of segmenter.segment(text))
        yield s.segment;
}
/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes on a character boundary (never inside a surrogate
 * pair, a multi-byte sequence or a grapheme cluster), appending `marker` when anything was cut.
 * The marker counts: the result is never longer than `maxBytes`. When even the marker does not
 * fit, the result is as much of the marker as fits (platforms reject over-long text; a clipped
 * marker still says "cut here").
 */
function truncateUtf8(text, maxBytes, marker = TRUNCATION_MARKER) {
    const max = Number.isFinite(maxBytes) ? Math.max(0, Math.floor(maxBytes)) : 0;
    if (utf8Bytes(text) <= max)
        return text;
    const markerBytes = utf8Bytes(marker);
    if (markerBytes >= max)
        return prefixWithinBytes(marker, max);
    return prefixWithinBytes(text, max - markerBytes) + marker;
}
const WORD_JOINER = '\u2060';
/**
 * Makes untrusted text unable to mention anyone on DingTalk, WeCom or Lark, keeping it readable:
 *  - tags: Lark `<at user_id="all">`, `<at id=all>`, `<at email=…>` (API_FACTS §C.3) and WeCom
 *    `<@userid>` (§B.3) lose their `<` (shown as `‹`), in any case and with spaces after `<`;
 *    their entity-encoded forms (`&lt;at`, `&#60;@`, `&#x3c;at`) too, because Lark's card
 *    markdown decodes entities and we do not rely on it never re-parsing them;
 *  - DingTalk `@13800000000`, `@userid`, `@all`, `@所有人` (§A.3) and WeCom `@all`: a word joiner
 *    (U+2060, invisible) after every `@`, so no platform parser sees a mention. Idempotent.
 */
function neutralizeMentions(text) {
    return text
        .replace(/(?:<|&lt;?|&#0*60;?|&#x0*3c;?)(\s*)(at\b|@)/gi, '‹$1$2')
        .replace(/@(?!\u2060)/g, `@${WORD_JOINER}`);
}
/**
 * Backslash-escapes CommonMark inline structure in one value, for renderers that implement
 * CommonMark escapes (the GitHub job summary, webhook receivers that render GFM). Newlines become
 * spaces. Do not use it for DingTalk or WeCom: their renderers are undocumented subsets and may show
 * the backslashes (see escapeDingTalkMarkdown).
 */
function escapeMarkdownInline(text) {
    return text.replace(/[\\`*_[\]()#>|~<!]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}
function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
/** Untrusted text → one line (commit titles, branch names): no newlines, no control characters. */
function oneLine(text) {
    // eslint-disable-next-line no-control-regex
    return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}
/**
 * Characters that carry structure in DingTalk and WeCom markdown, swapped for look-alikes.
 *
 * Why look-alikes and not backslashes: neither platform documents an escape (DingTalk "supports a
 * subset of Markdown", API_FACTS §A.2; WeCom lists its syntax only, §B.2), and a backslash the
 * renderer does not understand is shown to the reader. A look-alike always renders as itself.
 *  - `<` `>`: WeCom `<font color>` / `<@userid>`, DingTalk `<font>` and HTML — a commit message
 *    must not close our `<font>` or open a tag;
 *  - `[` `]`: links and images (`[text](url)`, `![](url)`) — no injected or disguised links;
 *  - `` ` ``: a code span could swallow our own markup up to the next backtick;
 *  - `*`: a stray `**` would end our bold early and bold the rest of the line.
 * `_` and `~` stay: intra-word underscores (branch names) are not emphasis, and neither can
 * open a link, a tag or a mention.
 */
const CHAT_MARKDOWN_LOOKALIKES = {
    '<': '＜',
    '>': '＞',
    '[': '［',
    ']': '］',
    '`': 'ˋ',
    '*': '∗',
};
function chatMarkdownInline(text) {
    return (neutralizeMentions(oneLine(text))
        .replace(/[<>[\]`*]/g, (c) => CHAT_MARKDOWN_LOOKALIKES[c])
        // An entity such as `&lt;` could be decoded by the client into the character we just removed.
        .replace(/&(?=#?[a-z0-9]+;)/gi, '＆')
        // A value at the start of a line must not become a heading or a quote.
        .replace(/^#/, '＃'));
}
/**
 * One UNTRUSTED value (commit title, branch, author, rendered title) inside DingTalk `markdown` or
 * `actionCard` text: one line, no mentions (the `@` of DingTalk `@mobile` is broken, §A.3), no
 * links, tags or emphasis that could alter the surrounding message. The channel's own mentions
 * are added after escaping, never passed through here.
 */
function escapeDingTalkMarkdown(text) {
    return chatMarkdownInline(text);
}
/**
 * One UNTRUSTED value inside WeCom `markdown` content (the same rules as DingTalk, for the same
 * reason; `<@userid>` mentions and `<font color>` are what `<` would open, §B.2–B.3).
 */
function escapeWeComMarkdown(text) {
    return chatMarkdownInline(text);
}
/**
 * Card markdown (`lark_md`, the card `markdown` element) decodes HTML entities, and Feishu's card
 * documentation ("Markdown — 特殊字符转义") prescribes them as the way to show markdown characters
 * literally; so every character with a meaning becomes an entity.
 */
const LARK_MD_ENTITIES = {
    '&': '&amp;',
    '<': '&lt;',
    '>': '&gt;',
    '*': '&#42;',
    _: '&#95;',
    '~': '&#126;',
    '`': '&#96;',
    '[': '&#91;',
    ']': '&#93;',
    '(': '&#40;',
    ')': '&#41;',
    '#': '&#35;',
    '\\': '&#92;',
    '|': '&#124;',
};
/** One UNTRUSTED value inside Lark `lark_md`: shows exactly that text, on one line, mentions nobody. */
function escapeLarkMd(text) {
    return neutralizeMentions(oneLine(text)).replace(/[&<>*_~`[\]()#\\|]/g, (c) => LARK_MD_ENTITIES[c]);
}
/**
 * A link target that is safe in any markup, or null. Only absolute http(s) URLs: `javascript:`,
 * `data:`, `file:` and relative targets are refused (a link in a chat or e-mail must only ever
 * open a web page; Lark also fails the whole send on an invalid post `href`, §C.2). The result is
 * the parsed URL with `(`, `)`, spaces, quotes and angle brackets percent-encoded, so it can sit in
 * `[text](url)`, `<a href="url">` and `<font>` markup without ending it early.
 */
function safeUrl(url) {
    if (typeof url !== 'string')
        return null;
    const trimmed = url.trim();
    if (!/^https?:\/\//i.test(trimmed))
        return null;
    let parsed;
    try {
        parsed = new URL(trimmed);
    }
    catch {
        return null;
    }
    if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '')
        return null;
    return parsed.href.replace(/[()\s<>"'`]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

;// CONCATENATED MODULE: ./src/channels/byte-budget.ts

/** Identity clip, for building without a limit. */
const NO_CLIP = (text) => text;
const MARKERS = { en: '…(truncated)', zh: '…（已截断）' };
function truncationMarker(locale) {
    return MARKERS[locale];
}
const MAX_ROUNDS = 12;
function fitWithinBytes(build, measure, limit, marker) {
    const markerBytes = utf8Bytes(marker);
    let cap = Number.POSITIVE_INFINITY;
    let last = null;
    for (let round = 0; round < MAX_ROUNDS; round++) {
        let longest = 0;
        let cut = false;
        const clip = (text) => {
            const bytes = utf8Bytes(text);
            if (bytes <= cap) {
                longest = Math.max(longest, bytes);
                return text;
            }
            cut = true;
            longest = Math.max(longest, cap);
            return truncateUtf8(text, cap, marker);
        };
        const value = build(clip);
        const bytes = measure(value);
        last = { value, truncated: cut, bytes };
        if (bytes <= limit)
            return last;
        // Nothing left to cut: the fixed parts alone are over the limit; let the platform say so.
        if (longest === 0 || cap === 0)
            return last;
        cap = Math.max(0, Math.min(cap, longest) - (bytes - limit) - markerBytes);
    }
    return last;
}
/** Size of a JSON request body as sent (UTF-8 bytes). */
function jsonBytes(body) {
    return utf8Bytes(JSON.stringify(body));
}

;// CONCATENATED MODULE: ./src/version.ts
/** Kept in step with package.json by the release workflow (a test checks they agree). */
const VERSION = '1.0.0';
const USER_AGENT = `ci-notify/${VERSION}`;

;// CONCATENATED MODULE: ./src/delivery/http.ts

/** Backoff: 1 s, 2 s, 4 s … capped at 30 s, with equal jitter (half fixed, half random). */
const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 30_000;
/**
 * A server may ask for any Retry-After (rate-limited chat robots say minutes: DingTalk's penalty is
 * 10 min, API_FACTS §A.8). A notification step should not sit idle that long, so we wait at most
 * 60 s; if that is not enough the delivery fails with the server's answer instead of hanging the job.
 */
const RETRY_AFTER_CAP_MS = 60_000;
/** Enough of an answer for any platform's JSON verdict; a runaway body is cut here. */
const MAX_ANSWER_BYTES = 1024 * 1024;
/** Characters of an error body quoted in a one-line error. */
const ERROR_BODY_CHARS = 200;
function createHttpClient(options) {
    const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    const random = options.random ?? Math.random;
    const userAgent = options.userAgent ?? USER_AGENT;
    const { log, redactor } = options;
    let network = null;
    const connect = () => {
        network ??= __nccwpck_require__.e(/* import() */ 752).then(__nccwpck_require__.t.bind(__nccwpck_require__, 6752, 19)).then((undici) => ({ undici, dispatcher: createDispatcher(undici, options.env) }));
        return network;
    };
    async function deliver(request, read = readHttpStatus, deliverOptions = {}) {
        const started = performance.now();
        const label = deliverOptions.label ?? 'http';
        const timeoutMs = deliverOptions.timeoutMs ?? options.timeoutMs;
        const maxAttempts = 1 + Math.max(0, deliverOptions.retries ?? options.retries);
        const build = typeof request === 'function' ? request : () => request;
        const elapsed = () => Math.round(performance.now() - started);
        if (options.dryRun) {
            let spec;
            try {
                spec = withUserAgent(build(), userAgent);
            }
            catch (error) {
                const message = redactor.redact(http_oneLine(`could not build the request: ${errorMessage(error)}`));
                return {
                    ok: false,
                    dry_run: true,
                    attempts: 0,
                    status_code: null,
                    error: message,
                    answer: null,
                    duration_ms: elapsed(),
                };
            }
            log.info(redactor.redact(describeRequest(label, spec)));
            return {
                ok: true,
                dry_run: true,
                attempts: 0,
                status_code: null,
                error: null,
                answer: null,
                duration_ms: elapsed(),
            };
        }
        const { undici, dispatcher } = await connect();
        let attempts = 0;
        let last = { answer: null, error: 'not sent' };
        while (attempts < maxAttempts) {
            let spec;
            try {
                spec = withUserAgent(build(), userAgent);
            }
            catch (error) {
                last = { answer: null, error: `could not build the request: ${errorMessage(error)}` };
                break;
            }
            attempts++;
            const result = await sendOnce(undici, dispatcher, spec, timeoutMs);
            let wait;
            let reason;
            if (result.kind === 'answer') {
                const verdict = safeRead(read, result.answer);
                if (verdict.ok) {
                    if (verdict.note)
                        log.info(redactor.redact(`${label}: ${verdict.note}`));
                    return {
                        ok: true,
                        dry_run: false,
                        attempts,
                        status_code: result.answer.status,
                        error: null,
                        answer: result.answer,
                        duration_ms: elapsed(),
                    };
                }
                last = { answer: result.answer, error: verdict.error, ...(verdict.hint ? { hint: verdict.hint } : {}) };
                const retryable = isTransientStatus(result.answer.status) || verdict.retry;
                if (!retryable)
                    break;
                wait = verdict.retryAfterMs ?? parseRetryAfter(result.answer.headers['retry-after'], Date.now());
                reason = `HTTP ${result.answer.status}`;
            }
            else {
                last = { answer: null, error: result.error };
                // After the headers arrived the platform has the request: sending it again could post twice.
                if (!result.retry)
                    break;
                wait = null;
                reason = result.error;
            }
            if (attempts >= maxAttempts)
                break;
            const waitMs = Math.min(wait ?? backoffDelay(attempts, random), RETRY_AFTER_CAP_MS);
            log.debug(redactor.redact(`${label}: attempt ${attempts + 1}/${maxAttempts} after ${reason}, waiting ${formatSeconds(waitMs)}`));
            await sleep(waitMs);
        }
        const gaveUp = attempts > 1 ? ` (gave up after ${attempts} attempts)` : '';
        const hint = last.hint ? ` — ${last.hint}` : '';
        return {
            ok: false,
            dry_run: false,
            attempts,
            status_code: last.answer?.status ?? null,
            error: redactor.redact(http_oneLine(`${last.error}${gaveUp}${hint}`)),
            answer: last.answer,
            duration_ms: elapsed(),
        };
    }
    async function sendOnce(undici, dispatcher, spec, timeoutMs) {
        // One timer for the whole exchange (connect, headers, body): "10 s" means 10 s, whichever phase hangs.
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), timeoutMs);
        let headersArrived = false;
        try {
            const response = await undici.request(spec.url, {
                method: spec.method,
                headers: spec.headers,
                ...(spec.body !== undefined && spec.method !== 'GET' ? { body: spec.body } : {}),
                dispatcher,
                signal: controller.signal,
            });
            headersArrived = true;
            const text = await readCapped(response.body);
            return {
                kind: 'answer',
                answer: { status: response.statusCode, headers: flattenHeaders(response.headers), text, json: parseJson(text) },
            };
        }
        catch (error) {
            const timedOut = controller.signal.aborted;
            const what = timedOut ? `timed out after ${formatSeconds(timeoutMs)}` : describeNetworkError(error);
            const phase = headersArrived
                ? ' while reading the answer (the request may have been delivered; not retried to avoid a duplicate)'
                : '';
            const invalid = errorCode(error) === 'UND_ERR_INVALID_ARG';
            return {
                kind: 'failed',
                error: invalid ? `invalid request: ${errorMessage(error)}` : `${what}${phase}`,
                retry: !headersArrived && !invalid,
            };
        }
        finally {
            clearTimeout(timer);
        }
    }
    async function close() {
        if (!network)
            return;
        const { dispatcher } = await network;
        network = null;
        await dispatcher.close();
    }
    return { deliver, close };
}
/** The default verdict (webhooks, DESIGN §6): any 2xx is success. */
function readHttpStatus(answer) {
    if (answer.status >= 200 && answer.status < 300)
        return { ok: true };
    return {
        ok: false,
        retry: isTransientStatus(answer.status),
        error: httpErrorLine(answer),
        ...(answer.status >= 300 && answer.status < 400 ? { hint: 'the URL redirects; use the final URL' } : {}),
    };
}
/** "HTTP 404 Not Found: <first 200 characters of the body>" — for verdicts of every channel. */
function httpErrorLine(answer) {
    const reason = STATUS_REASONS[answer.status] ?? '';
    const body = http_oneLine(answer.text).trim();
    const quoted = body ? `: ${body.length > ERROR_BODY_CHARS ? `${body.slice(0, ERROR_BODY_CHARS)}…` : body}` : '';
    return `HTTP ${answer.status}${reason ? ` ${reason}` : ''}${quoted}`;
}
function isTransientStatus(status) {
    return status === 408 || status === 429 || status >= 500;
}
/** Exponential backoff with equal jitter; `retry` is 1 for the wait before the second attempt. */
function backoffDelay(retry, random) {
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (retry - 1));
    return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
function parseRetryAfter(value, nowMs) {
    if (!value)
        return null;
    const trimmed = value.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed))
        return Math.min(Math.round(Number(trimmed) * 1000), RETRY_AFTER_CAP_MS);
    const date = Date.parse(trimmed);
    if (Number.isNaN(date))
        return null;
    return Math.min(Math.max(0, date - nowMs), RETRY_AFTER_CAP_MS);
}
/** "1.2 s", "10 s", "0.25 s". */
function formatSeconds(ms) {
    const seconds = ms / 1000;
    return `${Number.isInteger(seconds) ? seconds : Number(seconds.toFixed(seconds < 1 ? 2 : 1))} s`;
}
function createDispatcher(undici, env) {
    // curl's precedence: the lower-case name wins. Empty strings are passed on purpose: undici falls
    // back to process.env for an undefined option, and the injected env must be the only source.
    const httpProxy = env.http_proxy || env.HTTP_PROXY || '';
    const httpsProxy = env.https_proxy || env.HTTPS_PROXY || '';
    if (!httpProxy && !httpsProxy)
        return new undici.Agent();
    return new undici.EnvHttpProxyAgent({
        httpProxy,
        httpsProxy: httpsProxy || httpProxy,
        noProxy: env.no_proxy || env.NO_PROXY || '',
        // Plain-http targets go through the proxy as absolute-URI requests (what curl and every
        // forward proxy expect); https targets are tunnelled with CONNECT.
        proxyTunnel: false,
    });
}
function withUserAgent(spec, userAgent) {
    if (Object.keys(spec.headers).some((name) => name.toLowerCase() === 'user-agent'))
        return spec;
    return { ...spec, headers: { ...spec.headers, 'User-Agent': userAgent } };
}
function safeRead(read, answer) {
    try {
        return read(answer);
    }
    catch (error) {
        return {
            ok: false,
            retry: false,
            error: `could not read the answer (${errorMessage(error)}): ${httpErrorLine(answer)}`,
        };
    }
}
async function readCapped(body) {
    const chunks = [];
    let size = 0;
    for await (const chunk of body) {
        const buffer = Buffer.from(chunk);
        chunks.push(buffer);
        size += buffer.length;
        if (size >= MAX_ANSWER_BYTES) {
            body.destroy?.();
            break;
        }
    }
    return Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
}
function flattenHeaders(headers) {
    const flat = {};
    for (const [name, value] of Object.entries(headers)) {
        if (value !== undefined)
            flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    return flat;
}
function parseJson(text) {
    if (!text)
        return undefined;
    try {
        return JSON.parse(text);
    }
    catch {
        return undefined;
    }
}
const NETWORK_ERRORS = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset by the server',
    ENOTFOUND: 'host not found (DNS)',
    EAI_AGAIN: 'DNS lookup failed temporarily',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    EPIPE: 'connection closed while sending',
    UND_ERR_SOCKET: 'the server closed the connection',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
    CERT_HAS_EXPIRED: 'TLS certificate has expired',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed',
    SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate chain contains a self-signed certificate (set NODE_EXTRA_CA_CERTS?)',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate could not be verified (set NODE_EXTRA_CA_CERTS?)',
    ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host name',
    ERR_SSL_WRONG_VERSION_NUMBER: 'TLS handshake failed: the server does not speak HTTPS on this port (http:// instead of https://?)',
};
function describeNetworkError(error) {
    // undici wraps the socket error: the code that says what happened is often on `cause`.
    const codes = [errorCode(error), errorCode(error?.cause)].filter((c) => !!c);
    for (const code of codes) {
        const known = NETWORK_ERRORS[code];
        if (known)
            return `${known} (${code})`;
    }
    const message = errorMessage(error?.cause ?? error) || errorMessage(error);
    return `network error: ${message}${codes[0] ? ` (${codes[0]})` : ''}`;
}
function errorCode(error) {
    const code = error?.code;
    return typeof code === 'string' ? code : undefined;
}
function errorMessage(error) {
    if (error instanceof AggregateError && error.errors.length > 0)
        return errorMessage(error.errors[0]);
    return error instanceof Error ? error.message : String(error);
}
function http_oneLine(text) {
    return text.replace(/\s*[\r\n]+\s*/g, ' ');
}
/** Header names whose values are credentials whatever the redactor knows. */
const SECRET_HEADER = /authorization|cookie|token|secret|password|api[-_]?key/i;
/** The dry-run dump: method, URL, headers (credentials masked) and the body, pretty when JSON. */
function describeRequest(label, spec) {
    const lines = [`[dry run] ${label}: ${spec.method} ${spec.url}`];
    for (const [name, value] of Object.entries(spec.headers))
        lines.push(`  ${name}: ${SECRET_HEADER.test(name) ? '***' : value}`);
    if (spec.body !== undefined && spec.method !== 'GET') {
        let body = spec.body;
        try {
            body = JSON.stringify(JSON.parse(spec.body), null, 2);
        }
        catch {
            /* not JSON: print as sent */
        }
        lines.push('', body);
    }
    return lines.join('\n');
}
const STATUS_REASONS = {
    300: 'Multiple Choices',
    301: 'Moved Permanently',
    302: 'Found',
    303: 'See Other',
    307: 'Temporary Redirect',
    308: 'Permanent Redirect',
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    408: 'Request Timeout',
    409: 'Conflict',
    410: 'Gone',
    413: 'Content Too Large',
    415: 'Unsupported Media Type',
    422: 'Unprocessable Content',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
};

;// CONCATENATED MODULE: ./src/channels/robot-hints.ts

/** Longest platform message quoted in an error line. */
const MESSAGE_CHARS = 160;
function readRobotAnswer(answer, rules) {
    const json = isObject(answer.json) ? answer.json : null;
    const code = json ? rules.code(json) : undefined;
    if (json === null || code === undefined) {
        // No platform code: a proxy, a gateway error page, or not the platform at all.
        return {
            ok: false,
            retry: isTransientStatus(answer.status),
            error: `${rules.platform} answered without a result code (${httpErrorLine(answer)})`,
            hint: 'check that url points to the robot webhook',
        };
    }
    if (code === 0)
        return { ok: true };
    const message = firstLine(rules.message(json));
    const meaning = rules.meaning(code, message);
    return {
        ok: false,
        retry: meaning?.retry === true || isTransientStatus(answer.status),
        error: `${rules.platform} error ${code}${message ? `: ${message}` : ''}`,
        ...(meaning ? { hint: meaning.hint } : {}),
    };
}
/** The first of several numeric fields present (Lark's `code`, then its legacy `StatusCode`). */
function numericField(json, ...names) {
    for (const name of names) {
        const value = json[name];
        if (typeof value === 'number' && Number.isFinite(value))
            return value;
        if (typeof value === 'string' && /^-?\d+$/.test(value))
            return Number(value);
    }
    return undefined;
}
function stringField(json, ...names) {
    for (const name of names) {
        const value = json[name];
        if (typeof value === 'string' && value !== '')
            return value;
    }
    return '';
}
function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function firstLine(text) {
    const line = text.replace(/\s+/g, ' ').trim();
    return line.length > MESSAGE_CHARS ? `${line.slice(0, MESSAGE_CHARS)}…` : line;
}

;// CONCATENATED MODULE: ./src/channels/dingtalk.ts
/**
 * DingTalk custom group robot (钉钉自定义机器人), API_FACTS §A.
 * Reads top to bottom: options, limits, payload builders, request builder, answer reader, send.
 */





// ---------------------------------------------------------------------------------------------
// Options
const DINGTALK_HOST = 'oapi.dingtalk.com';
const DINGTALK_SEND = `https://${DINGTALK_HOST}/robot/send`;
const URL_EXPECTED = `expected the DingTalk webhook URL (${DINGTALK_SEND}?access_token=…) or its access_token`;
/**
 * `url` takes the full webhook URL or only its access_token: users paste either, and a library
 * that wants the other gets `300001 token is not exist` (API_FACTS §A.1, USER_VOICES #16).
 */
function dingtalkWebhookUrl(input) {
    const value = input.trim().replace(/^access_token=/, '');
    if (value === '')
        return { problem: URL_EXPECTED };
    if (value.includes('://')) {
        let url;
        try {
            url = new URL(value);
        }
        catch {
            return { problem: `${URL_EXPECTED}; the value is not a valid URL` };
        }
        if (url.protocol !== 'https:' && url.protocol !== 'http:')
            return { problem: `${URL_EXPECTED}; only http(s) URLs are accepted` };
        if (url.hostname === DINGTALK_HOST && !url.searchParams.get('access_token')) {
            return { problem: 'the DingTalk webhook URL has no access_token; copy the whole URL from the robot settings' };
        }
        return url.toString();
    }
    if (!/^[A-Za-z0-9_-]+$/.test(value))
        return { problem: URL_EXPECTED };
    return `${DINGTALK_SEND}?access_token=${value}`;
}
const dingtalkOptions = object({
    url: schemas_string()
        .default('')
        .transform((value, ctx) => {
        const url = dingtalkWebhookUrl(value);
        if (typeof url === 'string')
            return url;
        ctx.addIssue({ code: 'custom', message: url.problem });
        return NEVER;
    }),
    secret: schemas_string()
        .default('')
        .transform((value) => value.trim()),
});
// ---------------------------------------------------------------------------------------------
// Limits
/** The whole request body; beyond it DingTalk answers 460101 (API_FACTS §A.8). */
const DINGTALK_BODY_LIMIT = 20_000;
const DINGTALK_MSG_TYPES = ['actionCard', 'markdown', 'text', 'link', 'feedCard', 'customize'];
/** Types whose payload has an `at` object (API_FACTS §A.2/§A.3: link and feedCard "不支持@人", actionCard has no `at`). */
const MENTIONING_TYPES = new Set(['text', 'markdown']);
/**
 * The default-message payload of one type. The caller has already moved a mentioning message to
 * a type that can mention (see `chooseDingTalkType`); here mentions are only written for text and
 * markdown, both in `at` and as `@…` in the text — DingTalk highlights and notifies only when the
 * number/userId appears in the text too (API_FACTS §A.3, USER_VOICES #4).
 */
function dingtalkPayload(message, type, options = {}) {
    const clip = options.clip ?? NO_CLIP;
    const keyword = options.keyword ?? '';
    const mentions = options.mentions && MENTIONING_TYPES.has(type) && hasMentions(options.mentions) ? options.mentions : null;
    const title = withKeyword(plain(clip(message.title)), keyword);
    const link = message.link;
    switch (type) {
        case 'text': {
            const lines = [title, ...(message.body !== null ? [plainBlock(clip(message.body))] : message.facts.map((f) => factPlain(f, clip)))];
            if (link)
                lines.push(`${link.label}: ${link.url}`);
            if (mentions)
                lines.push(mentionLine(mentions));
            return { msgtype: 'text', text: { content: lines.join('\n') }, ...(mentions ? { at: atObject(mentions) } : {}) };
        }
        case 'markdown':
        case 'actionCard': {
            const parts = [markdownBody(message, clip, keyword)];
            if (type === 'markdown' && link)
                parts.push(`[${escapeDingTalkMd(link.label)}](${mdUrl(link.url)})`);
            if (mentions)
                parts.push(mentionLine(mentions));
            const text = parts.join('\n\n');
            if (type === 'markdown')
                return { msgtype: 'markdown', markdown: { title, text }, ...(mentions ? { at: atObject(mentions) } : {}) };
            return {
                msgtype: 'actionCard',
                actionCard: { title, text, singleTitle: link?.label ?? '', singleURL: link?.url ?? '', btnOrientation: '0' },
            };
        }
        case 'link': {
            const text = withKeyword(message.facts.map((f) => factPlain(f, clip)).join('\n') || title, keyword);
            return { msgtype: 'link', link: { title, text, messageUrl: link?.url ?? '' } };
        }
        case 'feedCard':
            return { msgtype: 'feedCard', feedCard: { links: [{ title, messageURL: link?.url ?? '' }] } };
    }
}
/**
 * The type actually sent. actionCard, link and feedCard cannot mention anyone (API_FACTS §A.2/§A.3),
 * so when mentions are wanted the message goes out as `markdown` (MESSAGES.md): the same text with
 * the run link as the last line and the `@…` written out, in ONE request. A second text message
 * would also notify people, but it doubles the use of the robot's 20 messages/minute (§A.8) and
 * splits one notification in two. actionCard and link also need a link to open: without one
 * (`fields` without `link`) markdown is the faithful rendering as well.
 */
function chooseDingTalkType(requested, wantsMentions, hasLink) {
    if (!MENTIONING_TYPES.has(requested) && wantsMentions) {
        return { type: 'markdown', reason: `${requested} cannot @-mention people on DingTalk; sending markdown so the mentions notify` };
    }
    if ((requested === 'actionCard' || requested === 'link' || requested === 'feedCard') && !hasLink) {
        return { type: 'markdown', reason: `${requested} needs the run link, which this message has none of; sending markdown` };
    }
    return { type: requested, reason: null };
}
function markdownBody(message, clip, keyword) {
    const heading = `### ${keyword !== '' && !message.title.includes(keyword) ? `${keyword} ` : ''}${escapeDingTalkMd(clip(message.title))}`;
    if (message.body !== null)
        return `${heading}\n\n${neutralizeMentions(clip(message.body))}`;
    const facts = message.facts.map((f) => `- ${factMarkdown(f, clip)}`);
    return facts.length > 0 ? `${heading}\n\n${facts.join('\n')}` : heading;
}
function factMarkdown(fact, clip) {
    const label = `**${escapeDingTalkMd(fact.label)}**:`;
    const value = escapeDingTalkMd(clip(fact.value));
    if (fact.url && isHttpUrl(fact.url)) {
        if (fact.link_text)
            return `${label} [${escapeDingTalkMd(fact.link_text)}](${mdUrl(fact.url)}) ${value}`.trimEnd();
        return `${label} [${value}](${mdUrl(fact.url)})`;
    }
    return `${label} ${value}`;
}
function factPlain(fact, clip) {
    const prefix = fact.link_text ? `${plain(fact.link_text)} ` : '';
    return `${fact.label}: ${prefix}${plain(clip(fact.value))}`.trimEnd();
}
function mentionLine(m) {
    return [...m.mobiles, ...m.userIds].map((id) => `@${id}`).join(' ') || '@all';
}
function atObject(m) {
    return { atMobiles: m.mobiles, atUserIds: m.userIds, isAtAll: m.all };
}
function hasMentions(m) {
    return m.mobiles.length > 0 || m.userIds.length > 0 || m.all;
}
/**
 * The keyword security check scans the title for card/link types and the content for text
 * (API_FACTS §A.4, jk-dt); we put it in both. It is configuration, so it is written as given.
 */
function withKeyword(text, keyword) {
    return keyword === '' || text.includes(keyword) ? text : `${keyword} ${text}`;
}
/**
 * Untrusted text inside DingTalk markdown: one line, no mentions, inline markup characters
 * backslash-escaped, and a leading `#`, `>`, `-`, `+` or `1.` escaped so it cannot start a block.
 * (`#` in the middle of "CI #128" stays as it is, unlike render/text.ts escapeMarkdownInline.)
 */
function escapeDingTalkMd(text) {
    return neutralizeMentions(oneLine(text))
        .replace(/[\\`*_[\]<>~|]/g, (c) => `\\${c}`)
        .replace(/^(\s*)([#>+-]|\d+\.)/, '$1\\$2');
}
function plain(text) {
    return neutralizeMentions(oneLine(text));
}
function plainBlock(text) {
    return neutralizeMentions(text);
}
function mdUrl(url) {
    return url.replace(/[()\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
function isHttpUrl(url) {
    return /^https?:\/\/\S+$/i.test(url);
}
// ---------------------------------------------------------------------------------------------
// Request
/**
 * A factory, so every attempt is signed with a fresh millisecond timestamp (the platform allows
 * one hour of skew, §A.5, but a retry after backoff should not reuse an old one). The body is
 * serialised once, outside the factory.
 */
function dingtalkRequest(options, body, now) {
    return () => ({
        method: 'POST',
        url: options.secret ? dingtalkSignedUrl(options.url, options.secret, now()) : options.url,
        headers: { 'Content-Type': 'application/json;charset=utf-8' },
        body,
    });
}
// ---------------------------------------------------------------------------------------------
// Answer
const RATE_LIMITED = { retry: true, hint: 'the robot is rate limited (20 messages per minute per robot)' };
const UNKNOWN_TOKEN = {
    hint: 'the access token is unknown: url must be the whole webhook URL or only its access_token value, of a robot that still exists',
};
const DINGTALK_CODES = {
    [-1]: { retry: true, hint: 'DingTalk is busy; retried' },
    130101: RATE_LIMITED,
    410100: RATE_LIMITED,
    300001: UNKNOWN_TOKEN,
    300005: UNKNOWN_TOKEN,
    400101: UNKNOWN_TOKEN,
    400102: { hint: 'the robot is disabled in the group settings' },
    400106: { hint: 'the robot is no longer in the group' },
    400013: { hint: 'the group was dissolved or the robot disabled' },
    400105: { hint: 'DingTalk does not accept this message type: check msg_type (or msgtype in a customize template)' },
    460101: { hint: 'the message is over 20000 bytes: shorten the template' },
    101002: { hint: 'the message is too long: shorten the template' },
    40035: { hint: 'the body is not the JSON DingTalk expects: check the customize template' },
    430101: { hint: 'DingTalk refused a link it considers unsafe' },
    430102: { hint: 'DingTalk refused the text content' },
    430104: { hint: 'DingTalk refused the content' },
};
/** 310000 is one code for four security checks; its message says which (§A.4, §A.7). */
function securityMeaning(message) {
    if (/keyword/i.test(message) || message.includes('关键词')) {
        return { hint: "the message lacks the robot's custom keyword: set keyword to one of the robot's keywords" };
    }
    if (/sign|timestamp/i.test(message) || message.includes('签名') || message.includes('时间戳')) {
        return { hint: "signature rejected: check secret (the robot's SEC… value) and the runner's clock (at most 1 hour off)" };
    }
    if (/ip|whitelist/i.test(message) || message.includes('白名单')) {
        return { hint: "the runner's IP address is not in the robot's IP allowlist" };
    }
    return { hint: 'a security setting rejected the message: check keyword, secret and the IP allowlist of the robot' };
}
function readDingTalkAnswer(answer) {
    return readRobotAnswer(answer, {
        platform: 'DingTalk',
        code: (json) => numericField(json, 'errcode'),
        message: (json) => stringField(json, 'errmsg'),
        meaning: (code, message) => {
            if (code === 310000)
                return securityMeaning(message);
            if (/too fast|限流/i.test(message))
                return RATE_LIMITED;
            return DINGTALK_CODES[code];
        },
    });
}
// ---------------------------------------------------------------------------------------------
// Send
const dingtalk = {
    type: 'dingtalk',
    options: dingtalkOptions,
    secrets: (options) => [options.url, options.secret],
    msgTypes: DINGTALK_MSG_TYPES,
    async send(ctx) {
        const label = `dingtalk ${ctx.target.name}`;
        const body = buildDingTalkBody(ctx);
        if (typeof body !== 'string') {
            return { ok: false, attempts: 0, status_code: null, error: body.problem, duration_ms: 0, answer: null, dry_run: ctx.dryRun };
        }
        const request = dingtalkRequest(ctx.options, body, () => ctx.now().getTime());
        return ctx.http.deliver(request, readDingTalkAnswer, { label });
    },
};
/** The JSON body to send, or a problem with the `customize` template. */
function buildDingTalkBody(ctx) {
    const requested = (ctx.target.msg_type || DINGTALK_MSG_TYPES[0]);
    if (requested === 'customize')
        return customizeBody(ctx);
    const { target, message } = ctx;
    const mentions = { mobiles: target.at_mobiles, userIds: target.at_user_ids, all: target.at_all };
    const wantsMentions = ctx.mention && hasMentions(mentions);
    const { type, reason } = chooseDingTalkType(requested, wantsMentions, message.link !== null);
    if (reason)
        ctx.log.warn(`dingtalk ${target.name}: ${reason}`);
    const fitted = fitWithinBytes((clip) => dingtalkPayload(message, type, { keyword: target.keyword, mentions: wantsMentions ? mentions : null, clip }), jsonBytes, DINGTALK_BODY_LIMIT, truncationMarker(message.locale));
    if (fitted.truncated)
        ctx.log.info(`dingtalk ${target.name}: message truncated to fit DingTalk's ${DINGTALK_BODY_LIMIT}-byte limit`);
    return JSON.stringify(fitted.value);
}
/** `customize`: the rendered template is the whole body, sent as the user wrote it (values JSON-escaped). */
function customizeBody(ctx) {
    if (ctx.target.template.trim() === '')
        return { problem: 'template: msg_type customize needs a template with the JSON body to send' };
    const body = ctx.render(ctx.target.template, 'json');
    try {
        JSON.parse(body);
    }
    catch (error) {
        return { problem: `template: the rendered customize body is not valid JSON (${error.message})` };
    }
    return body;
}

;// CONCATENATED MODULE: ./src/channels/wecom.ts
/**
 * WeCom group robot (企业微信群机器人 / 消息推送), API_FACTS §B.
 * Reads top to bottom: options, limits, payload builders, request builder, answer reader, send.
 */




// ---------------------------------------------------------------------------------------------
// Options
const WECOM_HOST = 'qyapi.weixin.qq.com';
const WECOM_SEND = `https://${WECOM_HOST}/cgi-bin/webhook/send`;
const wecom_URL_EXPECTED = `expected the WeCom webhook URL (${WECOM_SEND}?key=…) or its key`;
/** `url` takes the full webhook URL or only its key (`93000 invalid webhook url` otherwise, USER_VOICES #16). */
function wecomWebhookUrl(input) {
    const value = input.trim().replace(/^key=/, '');
    if (value === '')
        return { problem: wecom_URL_EXPECTED };
    if (value.includes('://')) {
        let url;
        try {
            url = new URL(value);
        }
        catch {
            return { problem: `${wecom_URL_EXPECTED}; the value is not a valid URL` };
        }
        if (url.protocol !== 'https:' && url.protocol !== 'http:')
            return { problem: `${wecom_URL_EXPECTED}; only http(s) URLs are accepted` };
        if (url.hostname === WECOM_HOST && !url.searchParams.get('key')) {
            return { problem: 'the WeCom webhook URL has no key; copy the whole URL from the robot settings' };
        }
        return url.toString();
    }
    if (!/^[A-Za-z0-9_-]+$/.test(value))
        return { problem: wecom_URL_EXPECTED };
    return `${WECOM_SEND}?key=${value}`;
}
const wecomOptions = object({
    url: schemas_string()
        .default('')
        .transform((value, ctx) => {
        const url = wecomWebhookUrl(value);
        if (typeof url === 'string')
            return url;
        ctx.addIssue({ code: 'custom', message: url.problem });
        return NEVER;
    }),
});
// ---------------------------------------------------------------------------------------------
// Limits: UTF-8 bytes of the content string, not of the body (§B.2, §B.6; 40058 beyond them)
const WECOM_TEXT_LIMIT = 2048;
const WECOM_MARKDOWN_LIMIT = 4096;
const WECOM_NEWS_TITLE_LIMIT = 128;
const WECOM_NEWS_DESCRIPTION_LIMIT = 512;
/** template_card shows short lines; its horizontal list holds at most 6 entries (§B.2). */
const TEMPLATE_CARD_FACTS = 6;
const TEMPLATE_CARD_VALUE_LIMIT = 256;
const WECOM_MSG_TYPES = ['markdown', 'text', 'markdown_v2', 'template_card', 'news', 'customize'];
/**
 * How each type can mention (§B.3, USER_VOICES #4): `text` has mentioned_list (userids, "@all")
 * and mentioned_mobile_list; `markdown` only `<@userid>` in the content; markdown_v2, news and
 * template_card cannot mention at all. Whatever the main message cannot carry goes into a small
 * follow-up `text` message (see `wecomMentionFollowUp`), because mobiles can only ever notify
 * through mentioned_mobile_list — switching to another type would not help.
 */
function wecomMainMentions(type, m) {
    if (type === 'text')
        return wecom_hasMentions(m) ? m : null;
    if (type === 'markdown')
        return m.userIds.length > 0 ? { mobiles: [], userIds: m.userIds, all: false } : null;
    return null;
}
/** The mentions the main message of `type` cannot carry, as a text message; null when none are left. */
function wecomMentionFollowUp(message, type, m) {
    const carried = wecomMainMentions(type, m);
    const rest = {
        mobiles: carried?.mobiles.length ? [] : m.mobiles,
        userIds: carried?.userIds.length ? [] : m.userIds,
        all: carried?.all ? false : m.all,
    };
    if (!wecom_hasMentions(rest))
        return null;
    const title = neutralizeMentions(oneLine(message.title));
    return textPayload(truncate(title, WECOM_TEXT_LIMIT, message), rest);
}
function wecomPayload(message, type, mentions, clip = NO_CLIP) {
    const carried = mentions ? wecomMainMentions(type, mentions) : null;
    const link = message.link;
    switch (type) {
        case 'markdown': {
            const lines = [`**<font color="${message.colour.wecom}">${escapeWeComMd(clip(message.title))}</font>**`];
            if (message.body !== null)
                lines.push(neutralizeMentions(clip(message.body)));
            else
                lines.push(...message.facts.map((f) => `>${wecom_factMarkdown(f, clip, (v) => `<font color="comment">${v}</font>`)}`));
            if (link)
                lines.push(`[${escapeWeComMd(link.label)}](${wecom_mdUrl(link.url)})`);
            if (carried)
                lines.push(carried.userIds.map((id) => `<@${cleanId(id)}>`).join(' '));
            return { msgtype: 'markdown', markdown: { content: lines.join('\n') } };
        }
        case 'text': {
            const lines = [wecom_plain(clip(message.title))];
            if (message.body !== null)
                lines.push(neutralizeMentions(clip(message.body)));
            else
                lines.push(...message.facts.map((f) => wecom_factPlain(f, clip)));
            if (link)
                lines.push(`${link.label}: ${link.url}`);
            return textPayload(lines.join('\n'), carried);
        }
        case 'markdown_v2': {
            // Tables render in markdown_v2 (not in markdown); there is no colour and no @ syntax (§B.2).
            const lines = [`## ${escapeWeComMd(clip(message.title))}`];
            if (message.body !== null)
                lines.push('', neutralizeMentions(clip(message.body)));
            else if (message.facts.length > 0) {
                lines.push('', '| | |', '| :-- | :-- |', ...message.facts.map((f) => `| ${escapeCell(escapeWeComMd(f.label))} | ${escapeCell(factValueMarkdown(f, clip))} |`));
            }
            if (link)
                lines.push('', `[${escapeWeComMd(link.label)}](${wecom_mdUrl(link.url)})`);
            return { msgtype: 'markdown_v2', markdown_v2: { content: lines.join('\n') } };
        }
        case 'news': {
            const description = message.body !== null ? wecom_plain(clip(message.body)) : message.facts.map((f) => wecom_factPlain(f, clip)).join('\n');
            return {
                msgtype: 'news',
                news: {
                    articles: [
                        {
                            title: truncate(wecom_plain(message.title), WECOM_NEWS_TITLE_LIMIT, message),
                            description: truncate(description, WECOM_NEWS_DESCRIPTION_LIMIT, message),
                            url: link?.url ?? '',
                        },
                    ],
                },
            };
        }
        case 'template_card': {
            const url = link?.url ?? '';
            return {
                msgtype: 'template_card',
                template_card: {
                    card_type: 'text_notice',
                    source: { desc: 'ci-notify', desc_color: 0 },
                    main_title: { title: wecom_plain(clip(message.title)) },
                    horizontal_content_list: message.facts.slice(0, TEMPLATE_CARD_FACTS).map((f) => {
                        const value = truncate(wecom_plain(`${f.link_text ? `${f.link_text} ` : ''}${f.value}`), TEMPLATE_CARD_VALUE_LIMIT, message);
                        return f.url && wecom_isHttpUrl(f.url) ? { keyname: f.label, value, type: 1, url: f.url } : { keyname: f.label, value };
                    }),
                    jump_list: link ? [{ type: 1, url, title: link.label }] : [],
                    card_action: { type: 1, url },
                },
            };
        }
    }
}
function textPayload(content, m) {
    const userIds = m ? [...m.userIds.map(cleanId), ...(m.all ? ['@all'] : [])] : [];
    const mobiles = m ? m.mobiles.map(cleanId) : [];
    return {
        msgtype: 'text',
        text: {
            content,
            ...(userIds.length > 0 ? { mentioned_list: userIds } : {}),
            ...(mobiles.length > 0 ? { mentioned_mobile_list: mobiles } : {}),
        },
    };
}
/** news and template_card need a link to open (card_action is required, §B.2); without one markdown is sent. */
function chooseWeComType(requested, hasLink) {
    if ((requested === 'news' || requested === 'template_card') && !hasLink) {
        return { type: 'markdown', reason: `${requested} needs the run link, which this message has none of; sending markdown` };
    }
    return { type: requested, reason: null };
}
/** The content string whose bytes count against the limit, and that limit (§B.2). */
function wecomContentLimit(payload) {
    switch (payload.msgtype) {
        case 'text':
            return { content: payload.text.content, limit: WECOM_TEXT_LIMIT };
        case 'markdown':
            return { content: payload.markdown.content, limit: WECOM_MARKDOWN_LIMIT };
        case 'markdown_v2':
            return { content: payload.markdown_v2.content, limit: WECOM_MARKDOWN_LIMIT };
        default:
            return null;
    }
}
/** "Label: value" for markdown; the value is coloured only when it is not a link. */
function wecom_factMarkdown(fact, clip, wrap) {
    const value = factValueMarkdown(fact, clip);
    return `${escapeWeComMd(fact.label)}: ${fact.url && wecom_isHttpUrl(fact.url) ? value : wrap(value)}`;
}
function factValueMarkdown(fact, clip) {
    const value = escapeWeComMd(clip(fact.value));
    if (fact.url && wecom_isHttpUrl(fact.url)) {
        if (fact.link_text)
            return `[${escapeWeComMd(fact.link_text)}](${wecom_mdUrl(fact.url)}) ${value}`.trimEnd();
        return `[${value}](${wecom_mdUrl(fact.url)})`;
    }
    return value;
}
function wecom_factPlain(fact, clip) {
    const prefix = fact.link_text ? `${wecom_plain(fact.link_text)} ` : '';
    return `${fact.label}: ${prefix}${wecom_plain(clip(fact.value))}`.trimEnd();
}
function wecom_hasMentions(m) {
    return m.mobiles.length > 0 || m.userIds.length > 0 || m.all;
}
/**
 * Untrusted text in WeCom markdown: one line, no mentions, and no markup. `<` and `>` would open
 * `<font>` or `<@userid>` tags and backslash escapes are not documented for WeCom, so they become
 * their full-width look-alikes; inline markdown characters and a block-starting `#`, `>`, `-` are
 * backslash-escaped.
 */
function escapeWeComMd(text) {
    return neutralizeMentions(oneLine(text))
        .replace(/</g, '＜')
        .replace(/>/g, '＞')
        .replace(/[\\`*_[\]~]/g, (c) => `\\${c}`)
        .replace(/^(\s*)([#>+-]|\d+\.)/, '$1\\$2');
}
function escapeCell(text) {
    return text.replace(/\|/g, '\\|');
}
function wecom_plain(text) {
    return neutralizeMentions(oneLine(text));
}
function truncate(text, limit, message) {
    if (utf8Bytes(text) <= limit)
        return text;
    return fitWithinBytes((clip) => clip(text), utf8Bytes, limit, truncationMarker(message.locale)).value;
}
function cleanId(id) {
    return id.replace(/[\s"'<>]/g, '');
}
function wecom_mdUrl(url) {
    return url.replace(/[()\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
function wecom_isHttpUrl(url) {
    return /^https?:\/\/\S+$/i.test(url);
}
// ---------------------------------------------------------------------------------------------
// Request
function wecomRequest(options, body) {
    return { method: 'POST', url: options.url, headers: { 'Content-Type': 'application/json' }, body };
}
// ---------------------------------------------------------------------------------------------
// Answer
const WECOM_CODES = {
    [-1]: { retry: true, hint: 'WeCom is busy; retried' },
    45009: { retry: true, hint: 'the robot is rate limited (20 messages per minute per robot)' },
    93000: { hint: 'the webhook key is invalid: url must be the whole webhook URL or only its key value, of a robot that still exists' },
    40058: { hint: 'a field is too long or invalid (markdown content ≤ 4096 bytes, text ≤ 2048): shorten the template' },
    40008: { hint: 'WeCom does not know this message type: check msg_type (or msgtype, lower-case, in a customize template)' },
    44004: { hint: 'the content is empty: check that the template renders something' },
    40035: { hint: 'the body is not the JSON WeCom expects: check the customize template' },
};
function readWeComAnswer(answer) {
    return readRobotAnswer(answer, {
        platform: 'WeCom',
        code: (json) => numericField(json, 'errcode'),
        message: (json) => stringField(json, 'errmsg'),
        meaning: (code) => WECOM_CODES[code],
    });
}
// ---------------------------------------------------------------------------------------------
// Send
const wecom = {
    type: 'wecom',
    options: wecomOptions,
    secrets: (options) => [options.url],
    msgTypes: WECOM_MSG_TYPES,
    async send(ctx) {
        const label = `wecom ${ctx.target.name}`;
        const bodies = buildWeComBodies(ctx);
        if ('problem' in bodies) {
            return { ok: false, attempts: 0, status_code: null, error: bodies.problem, duration_ms: 0, answer: null, dry_run: ctx.dryRun };
        }
        const main = await ctx.http.deliver(wecomRequest(ctx.options, bodies.main), readWeComAnswer, { label });
        if (!main.ok || bodies.mentions === null)
            return main;
        const follow = await ctx.http.deliver(wecomRequest(ctx.options, bodies.mentions), readWeComAnswer, { label: `${label} (mentions)` });
        return combineOutcomes(main, follow);
    },
};
/** The main body and, when the main type cannot carry every mention, the follow-up text body. */
function buildWeComBodies(ctx) {
    const { target, message } = ctx;
    const requested = (target.msg_type || WECOM_MSG_TYPES[0]);
    if (requested === 'customize') {
        if (target.template.trim() === '')
            return { problem: 'template: msg_type customize needs a template with the JSON body to send' };
        const body = ctx.render(target.template, 'json');
        try {
            JSON.parse(body);
        }
        catch (error) {
            return { problem: `template: the rendered customize body is not valid JSON (${error.message})` };
        }
        return { main: body, mentions: null };
    }
    const { type, reason } = chooseWeComType(requested, message.link !== null);
    if (reason)
        ctx.log.warn(`wecom ${target.name}: ${reason}`);
    const all = { mobiles: target.at_mobiles, userIds: target.at_user_ids, all: target.at_all };
    const mentions = ctx.mention && wecom_hasMentions(all) ? all : null;
    const fitted = fitWithinBytes((clip) => wecomPayload(message, type, mentions, clip), (payload) => {
        const measured = wecomContentLimit(payload);
        return measured ? utf8Bytes(measured.content) - measured.limit : 0;
    }, 0, truncationMarker(message.locale));
    if (fitted.truncated)
        ctx.log.info(`wecom ${target.name}: message truncated to fit WeCom's content limit`);
    const followUp = mentions ? wecomMentionFollowUp(message, type, mentions) : null;
    if (followUp) {
        ctx.log.warn(`wecom ${target.name}: ${type} cannot carry every requested mention; they follow in a separate text message`);
    }
    return { main: JSON.stringify(fitted.value), mentions: followUp ? JSON.stringify(followUp) : null };
}
/** One target, one result: the mention follow-up is part of the delivery. */
function combineOutcomes(main, follow) {
    return {
        ok: main.ok && follow.ok,
        attempts: main.attempts + follow.attempts,
        status_code: follow.status_code,
        error: follow.error ? `the message was delivered, the mentions were not: ${follow.error}` : null,
        duration_ms: main.duration_ms + follow.duration_ms,
        answer: follow.answer,
        dry_run: main.dry_run,
    };
}

;// CONCATENATED MODULE: ./src/channels/lark-card.ts


const NO_LARK_MENTIONS = { userIds: [], all: false };
// ---------------------------------------------------------------------------------------------
// Builders
/** The default Lark message: header coloured by status, the facts, a "View run" button, mentions. */
function larkCard(message, mentions = NO_LARK_MENTIONS, options = {}) {
    const clip = options.clip ?? NO_CLIP;
    const keyword = options.keyword ?? '';
    const body = message.body !== null ? templateLarkMd(clip(message.body)) : message.facts.map((f) => factLarkMd(f, clip)).join('\n');
    const elements = [];
    if (body !== '')
        elements.push({ tag: 'div', text: { tag: 'lark_md', content: body } });
    if (message.link && lark_card_isHttpUrl(message.link.url)) {
        elements.push({
            tag: 'action',
            actions: [{ tag: 'button', type: 'primary', text: { tag: 'plain_text', content: message.link.label }, url: message.link.url }],
        });
    }
    const ats = [...validIds(mentions.userIds).map((id) => `<at id=${id}></at>`), ...(mentions.all ? ['<at id=all></at>'] : [])];
    if (ats.length > 0)
        elements.push({ tag: 'div', text: { tag: 'lark_md', content: ats.join(' ') } });
    // The keyword check reads text values, not necessarily the header (§C.4): a small note carries it.
    if (keyword !== '' && !body.includes(keyword))
        elements.push({ tag: 'note', elements: [{ tag: 'plain_text', content: keyword }] });
    return {
        config: { wide_screen_mode: true },
        header: { template: message.colour.lark, title: { tag: 'plain_text', content: lark_card_withKeyword(plainTitle(message, clip), keyword) } },
        elements,
    };
}
/** Rich text: one paragraph per fact, the run link, then the `at` tags. */
function larkPost(message, mentions = NO_LARK_MENTIONS, options = {}) {
    const clip = options.clip ?? NO_CLIP;
    const keyword = options.keyword ?? '';
    const content = message.body !== null
        ? plainText(clip(message.body))
            .split('\n')
            .map((line) => [{ tag: 'text', text: line }])
        : message.facts.map((f) => factPostLine(f, clip));
    if (message.link && lark_card_isHttpUrl(message.link.url))
        content.push([{ tag: 'a', text: message.link.label, href: message.link.url }]);
    const ats = [
        ...validIds(mentions.userIds).map((id) => ({ tag: 'at', user_id: id })),
        ...(mentions.all ? [{ tag: 'at', user_id: 'all', user_name: ALL_NAME[message.locale] }] : []),
    ];
    if (ats.length > 0)
        content.push(ats);
    const bodyText = content.flat().map((n) => ('text' in n ? n.text : '')).join('\n');
    if (keyword !== '' && !bodyText.includes(keyword))
        content.push([{ tag: 'text', text: keyword }]);
    return { post: { [postLocale(message.locale)]: { title: lark_card_withKeyword(plainTitle(message, clip), keyword), content } } };
}
/** Plain text: title, facts as "Label: value" lines, the run URL, then `<at user_id=…>` tags. */
function larkText(message, mentions = NO_LARK_MENTIONS, options = {}) {
    const clip = options.clip ?? NO_CLIP;
    const lines = [lark_card_withKeyword(plainTitle(message, clip), options.keyword ?? '')];
    if (message.body !== null)
        lines.push(plainText(clip(message.body)));
    else
        lines.push(...message.facts.map((f) => factPlainLine(f, clip)));
    if (message.link && lark_card_isHttpUrl(message.link.url))
        lines.push(`${message.link.label}: ${message.link.url}`);
    const ats = [
        ...validIds(mentions.userIds).map((id) => `<at user_id="${id}">${id}</at>`),
        ...(mentions.all ? [`<at user_id="all">${ALL_NAME[message.locale]}</at>`] : []),
    ];
    if (ats.length > 0)
        lines.push(ats.join(' '));
    return { text: lines.join('\n') };
}
// ---------------------------------------------------------------------------------------------
// Escaping and small pieces
const ALL_NAME = { en: 'all', zh: '所有人' };
function postLocale(locale) {
    return locale === 'zh' ? 'zh_cn' : 'en_us';
}
/** Characters with a meaning in card markdown, written as entities so they show as themselves. */
const lark_card_LARK_MD_ENTITIES = {
    '&': '&amp;',
    '<': '&lt;',
    '>': '&gt;',
    '*': '&#42;',
    _: '&#95;',
    '~': '&#126;',
    '`': '&#96;',
    '[': '&#91;',
    ']': '&#93;',
    '\\': '&#92;',
};
/** Untrusted inline text → card markdown that shows exactly that text and mentions nobody. */
function lark_card_escapeLarkMd(text) {
    return neutralizeMentions(oneLine(text)).replace(/[&<>*_~`[\]\\]/g, (c) => lark_card_LARK_MD_ENTITIES[c]);
}
/** The user's rendered template is markdown by intent; only mentions are taken out of it. */
function templateLarkMd(text) {
    return neutralizeMentions(text);
}
/** Untrusted text for plain-text places (text message, post `text` tags, header titles). */
function plainText(text) {
    return neutralizeMentions(text);
}
function plainTitle(message, clip) {
    return plainText(oneLine(clip(message.title)));
}
function lark_card_withKeyword(title, keyword) {
    return keyword === '' || title.includes(keyword) ? title : `[${keyword}] ${title}`;
}
function factLarkMd(fact, clip) {
    const label = `**${lark_card_escapeLarkMd(fact.label)}**`;
    const value = lark_card_escapeLarkMd(clip(fact.value));
    if (fact.url && lark_card_isHttpUrl(fact.url)) {
        if (fact.link_text)
            return `${label} [${lark_card_escapeLarkMd(fact.link_text)}](${lark_card_mdUrl(fact.url)}) ${value}`.trimEnd();
        return `${label} [${value}](${lark_card_mdUrl(fact.url)})`;
    }
    return `${label} ${value}`;
}
function factPostLine(fact, clip) {
    const value = plainText(oneLine(clip(fact.value)));
    const label = { tag: 'text', text: `${fact.label}: ` };
    if (fact.url && lark_card_isHttpUrl(fact.url)) {
        if (fact.link_text) {
            const nodes = [label, { tag: 'a', text: plainText(oneLine(fact.link_text)), href: fact.url }];
            if (value !== '')
                nodes.push({ tag: 'text', text: ` ${value}` });
            return nodes;
        }
        return [label, { tag: 'a', text: value, href: fact.url }];
    }
    return [{ tag: 'text', text: `${fact.label}: ${value}` }];
}
function factPlainLine(fact, clip) {
    const value = plainText(oneLine(clip(fact.value)));
    const prefix = fact.link_text ? `${plainText(oneLine(fact.link_text))} ` : '';
    return `${fact.label}: ${prefix}${value}`.trimEnd();
}
/** A post `a` tag with an invalid href fails the whole send (§C.2), so only real http(s) URLs link. */
function lark_card_isHttpUrl(url) {
    if (!/^https?:\/\//i.test(url))
        return false;
    try {
        new URL(url);
        return true;
    }
    catch {
        return false;
    }
}
/** A URL inside `[text](url)`: parentheses and spaces would end the link early. */
function lark_card_mdUrl(url) {
    return url.replace(/[()\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
/** Mention ids are configuration, but a quote or bracket in one must not break the tag. */
function validIds(ids) {
    return ids.map((id) => id.replace(/[\s"'<>=]/g, '')).filter((id) => id !== '');
}

;// CONCATENATED MODULE: ./src/channels/lark.ts
/**
 * Lark / Feishu custom bot (自定义机器人, webhook v2), API_FACTS §C. The message bodies are built
 * in lark-card.ts (shared with lark_app).
 * Reads top to bottom: options, limits, payload, request builder, answer reader, send.
 */





// ---------------------------------------------------------------------------------------------
// Options
const FEISHU_HOST = 'open.feishu.cn';
const LARK_HOST = 'open.larksuite.com';
const HOOK_PATH = '/open-apis/bot/v2/hook/';
const lark_URL_EXPECTED = `expected the Feishu/Lark bot webhook URL (https://${FEISHU_HOST}${HOOK_PATH}… or https://${LARK_HOST}${HOOK_PATH}…) or its hook id`;
/** `domain` for a bare hook id: `feishu` (default, China), `lark` (international) or a base URL. */
function hookBase(domain) {
    const value = domain.trim().toLowerCase();
    if (value === '' || value === 'feishu')
        return `https://${FEISHU_HOST}`;
    if (value === 'lark' || value === 'larksuite')
        return `https://${LARK_HOST}`;
    if (/^https?:\/\/[^\s/]+\/?$/i.test(domain.trim()))
        return domain.trim().replace(/\/$/, '');
    return { problem: 'expected feishu, lark or a base URL such as https://open.feishu.cn' };
}
/** `url` takes the full webhook URL or only the hook id (USER_VOICES #16; 19001 otherwise). */
function larkWebhookUrl(input, domain = '') {
    const value = input.trim();
    if (value === '')
        return { problem: lark_URL_EXPECTED };
    if (value.includes('://')) {
        let url;
        try {
            url = new URL(value);
        }
        catch {
            return { problem: `${lark_URL_EXPECTED}; the value is not a valid URL` };
        }
        if (url.protocol !== 'https:' && url.protocol !== 'http:')
            return { problem: `${lark_URL_EXPECTED}; only http(s) URLs are accepted` };
        if ((url.hostname === FEISHU_HOST || url.hostname === LARK_HOST) && !url.pathname.startsWith(HOOK_PATH)) {
            return { problem: `the Feishu/Lark URL is not a bot webhook (${HOOK_PATH}<id>); copy it from the bot settings` };
        }
        return url.toString();
    }
    if (!/^[A-Za-z0-9_-]+$/.test(value))
        return { problem: lark_URL_EXPECTED };
    const base = hookBase(domain);
    if (typeof base !== 'string')
        return { ...base, path: 'domain' };
    return `${base}${HOOK_PATH}${value}`;
}
const larkOptions = object({
    url: schemas_string().default(''),
    secret: schemas_string()
        .default('')
        .transform((value) => value.trim()),
    domain: schemas_string().default(''),
})
    .transform((raw, ctx) => {
    const url = larkWebhookUrl(raw.url, raw.domain);
    if (typeof url !== 'string') {
        ctx.addIssue({ code: 'custom', message: url.problem, path: [url.path ?? 'url'] });
        return NEVER;
    }
    return { url, secret: raw.secret };
});
// ---------------------------------------------------------------------------------------------
// Limits
/** The whole JSON body, signature included (§C.7; 9499 beyond it). Decimal, the conservative reading. */
const LARK_BODY_LIMIT = 20_000;
const LARK_MSG_TYPES = ['interactive', 'text', 'post', 'customize'];
function larkPayload(message, type, mentions, options = {}) {
    switch (type) {
        case 'interactive':
            return { msg_type: 'interactive', card: larkCard(message, mentions, options) };
        case 'post':
            return { msg_type: 'post', content: larkPost(message, mentions, options) };
        case 'text':
            return { msg_type: 'text', content: larkText(message, mentions, options) };
    }
}
/** Stand-in signature fields of the real length, so the size is measured as it will be sent. */
const SIGNATURE_PLACEHOLDER = { timestamp: '0000000000', sign: 'x'.repeat(44) };
// ---------------------------------------------------------------------------------------------
// Request
/**
 * A factory: the signature (seconds timestamp, key = `timestamp\nsecret`, empty message, §C.5)
 * lives in the JSON body, so every attempt serialises a freshly signed body once.
 */
function larkRequest(options, payload, now) {
    return () => ({
        method: 'POST',
        url: options.url,
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify(options.secret ? { ...larkSign(options.secret, now()), ...payload } : payload),
    });
}
// ---------------------------------------------------------------------------------------------
// Answer
const LARK_CODES = {
    19021: { hint: "signature rejected: check secret (the bot's signature secret) and the runner's clock (at most 1 hour off)" },
    19022: { hint: "the runner's IP address is not in the bot's IP allowlist" },
    19024: { hint: "the message lacks the bot's custom keyword: set keyword to one of the bot's keywords" },
    19001: { hint: 'the hook id is invalid: url must be the whole webhook URL or only its hook id, of a bot that still exists' },
    11232: { retry: true, hint: 'the bot is rate limited (100 per minute, 5 per second; avoid sending exactly at :00 and :30)' },
    9499: { hint: 'Lark rejected the body: malformed JSON or over 20 KB (check the customize template)' },
};
function readLarkAnswer(answer) {
    return readRobotAnswer(answer, {
        platform: 'Lark',
        // `code` decides; legacy `StatusCode` only when `code` is absent ({"code":19021,"StatusCode":0} is a failure, §C.6).
        code: (json) => numericField(json, 'code') ?? numericField(json, 'StatusCode'),
        message: (json) => stringField(json, 'msg', 'StatusMessage'),
        meaning: (code) => LARK_CODES[code],
    });
}
// ---------------------------------------------------------------------------------------------
// Send
const lark = {
    type: 'lark',
    options: larkOptions,
    secrets: (options) => [options.url, options.secret],
    msgTypes: LARK_MSG_TYPES,
    async send(ctx) {
        const label = `lark ${ctx.target.name}`;
        const built = buildLarkPayload(ctx);
        if ('problem' in built) {
            return { ok: false, attempts: 0, status_code: null, error: built.problem, duration_ms: 0, answer: null, dry_run: ctx.dryRun };
        }
        return ctx.http.deliver(larkRequest(ctx.options, built.payload, () => ctx.now().getTime()), readLarkAnswer, { label });
    },
};
/** The unsigned JSON payload, or a problem with the `customize` template. */
function buildLarkPayload(ctx) {
    const { target, message } = ctx;
    const type = (target.msg_type || LARK_MSG_TYPES[0]);
    if (type === 'customize') {
        if (target.template.trim() === '')
            return { problem: 'template: msg_type customize needs a template with the JSON body to send' };
        let parsed;
        try {
            parsed = JSON.parse(ctx.render(target.template, 'json'));
        }
        catch (error) {
            return { problem: `template: the rendered customize body is not valid JSON (${error.message})` };
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
            return { problem: 'template: the customize body must be a JSON object (the signature is added to it)' };
        }
        return { payload: parsed };
    }
    const wanted = ctx.mention;
    // A custom bot can only mention by open_id/user_id; it cannot resolve mobiles (§C.3).
    if (wanted && target.at_mobiles.length > 0) {
        ctx.log.warn(`lark ${target.name}: Lark custom bots cannot mention by mobile number; use at_user_ids with open_ids, or the lark_app channel`);
    }
    const mentions = wanted ? { userIds: target.at_user_ids, all: target.at_all } : { userIds: [], all: false };
    const signed = ctx.options.secret !== '';
    const fitted = fitWithinBytes((clip) => larkPayload(message, type, mentions, { keyword: target.keyword, clip }), (payload) => jsonBytes(signed ? { ...SIGNATURE_PLACEHOLDER, ...payload } : payload), LARK_BODY_LIMIT, truncationMarker(message.locale));
    if (fitted.truncated)
        ctx.log.info(`lark ${target.name}: message truncated to fit Lark's 20 KB body limit`);
    return { payload: fitted.value };
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
;// CONCATENATED MODULE: ./src/channels/email-html.ts

const FOOTER = { en: 'sent by ci-notify', zh: '由 ci-notify 发送' };
const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif";
const TEXT_COLOUR = '#1f2328';
const MUTED_COLOUR = '#6e7781';
const BORDER_COLOUR = '#d0d7de';
const PAGE_COLOUR = '#f6f8fa';
/** The HTML part: status bar, title, the commit title quoted, the facts table, "View run", footer. */
function renderEmailHtml(message) {
    const colour = safeColour(message.colour.hex);
    const commit = message.body === null ? message.facts.find((f) => f.field === 'commit') : undefined;
    const tableFacts = message.body === null ? message.facts.filter((f) => f !== commit) : [];
    const rows = [];
    rows.push(`<tr><td style="background-color:${colour};height:6px;line-height:6px;font-size:0;border-radius:6px 6px 0 0;">&nbsp;</td></tr>`, `<tr><td style="padding:24px 24px 8px 24px;"><h1 style="margin:0;font-size:20px;line-height:28px;font-weight:600;color:${TEXT_COLOUR};">${escapeHtml(oneLine(message.title))}</h1></td></tr>`);
    if (message.body !== null) {
        rows.push(`<tr><td style="padding:8px 24px;font-size:14px;line-height:22px;color:${TEXT_COLOUR};white-space:pre-wrap;">${escapeHtml(message.body)}</td></tr>`);
    }
    if (commit)
        rows.push(`<tr><td style="padding:8px 24px;">${commitQuote(commit)}</td></tr>`);
    if (tableFacts.length > 0) {
        rows.push(`<tr><td style="padding:8px 24px;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;font-size:14px;line-height:20px;">${tableFacts.map(factRow).join('')}</table></td></tr>`);
    }
    const linkUrl = message.link ? safeUrl(message.link.url) : null;
    if (message.link && linkUrl) {
        rows.push(`<tr><td style="padding:16px 24px 24px 24px;"><a href="${escapeHtml(linkUrl)}" style="display:inline-block;padding:10px 20px;background-color:${colour};color:#ffffff;font-size:14px;font-weight:600;line-height:20px;text-decoration:none;border-radius:6px;">${escapeHtml(message.link.label)}</a></td></tr>`);
    }
    rows.push(`<tr><td style="padding:12px 24px;border-top:1px solid ${BORDER_COLOUR};font-size:12px;line-height:18px;color:${MUTED_COLOUR};">${escapeHtml(FOOTER[message.locale])}</td></tr>`);
    return [
        '<!DOCTYPE html>',
        `<html lang="${message.locale}">`,
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        `<title>${escapeHtml(oneLine(message.title))}</title></head>`,
        `<body style="margin:0;padding:0;background-color:${PAGE_COLOUR};">`,
        `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:${PAGE_COLOUR};">`,
        '<tr><td align="center" style="padding:24px 12px;">',
        `<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:600px;max-width:600px;background-color:#ffffff;border:1px solid ${BORDER_COLOUR};border-radius:6px;font-family:${FONT};color:${TEXT_COLOUR};">`,
        ...rows,
        '</table>',
        '</td></tr>',
        '</table>',
        '</body>',
        '</html>',
    ].join('\n');
}
/** The plain-text part: the same facts, one per line, and the run URL on its own line. */
function renderEmailText(message) {
    const lines = [oneLine(message.title), ''];
    if (message.body !== null) {
        lines.push(message.body, '');
    }
    else if (message.facts.length > 0) {
        for (const fact of message.facts) {
            const prefix = fact.link_text ? `${oneLine(fact.link_text)} ` : '';
            lines.push(`${fact.label}: ${prefix}${oneLine(fact.value)}`.trimEnd());
        }
        lines.push('');
    }
    const linkUrl = message.link ? safeUrl(message.link.url) : null;
    if (message.link && linkUrl)
        lines.push(`${message.link.label}:`, linkUrl, '');
    // "-- " (with the space) is the standard signature separator; clients fold what follows.
    lines.push('-- ', FOOTER[message.locale]);
    return lines.join('\n');
}
function commitQuote(fact) {
    const url = fact.url ? safeUrl(fact.url) : null;
    const sha = fact.link_text ? escapeHtml(oneLine(fact.link_text)) : '';
    const shaHtml = sha === ''
        ? ''
        : url
            ? `<a href="${escapeHtml(url)}" style="color:#0969da;text-decoration:none;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;">${sha}</a> `
            : `<span style="font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;">${sha}</span> `;
    return `<blockquote style="margin:0;padding:8px 12px;border-left:4px solid ${BORDER_COLOUR};background-color:${PAGE_COLOUR};font-size:14px;line-height:20px;color:${TEXT_COLOUR};">${shaHtml}${escapeHtml(oneLine(fact.value))}</blockquote>`;
}
function factRow(fact) {
    const url = fact.url ? safeUrl(fact.url) : null;
    const text = escapeHtml(oneLine(fact.link_text ? `${fact.link_text} ${fact.value}` : fact.value));
    const value = url ? `<a href="${escapeHtml(url)}" style="color:#0969da;text-decoration:none;">${text}</a>` : text;
    return (`<tr><td style="padding:4px 16px 4px 0;width:140px;vertical-align:top;color:${MUTED_COLOUR};white-space:nowrap;">${escapeHtml(fact.label)}</td>` +
        `<td style="padding:4px 0;vertical-align:top;color:${TEXT_COLOUR};">${value}</td></tr>`);
}
/** The colour comes from our own table, but it lands in a style attribute: accept only #rgb/#rrggbb. */
function safeColour(hex) {
    return /^#[0-9a-f]{3}([0-9a-f]{3})?$/i.test(hex) ? hex : MUTED_COLOUR;
}

;// CONCATENATED MODULE: ./src/channels/email.ts
/**
 * `email`: the notification as a multipart (HTML + plain text) e-mail over SMTP with nodemailer
 * (DESIGN §5, MESSAGES.md "E-mail"). nodemailer is imported inside `send`, so a run without an
 * e-mail target never loads it.
 *
 * Transport security, decided here once:
 * - `smtps://` / `smtp_secure` (default: port 465) is implicit TLS; otherwise STARTTLS is used
 *   whenever the server offers it (nodemailer's default), and it is REQUIRED when credentials are
 *   sent, so a password never crosses the network in clear text (a server without STARTTLS then
 *   fails with a TLS hint instead of receiving the password).
 * - Certificates are always verified, whatever NODE_TLS_REJECT_UNAUTHORIZED says. A private CA is
 *   trusted through NODE_EXTRA_CA_CERTS; Node reads that variable only at process start, so we read
 *   the file named in the run's environment ourselves and pass it with the default roots: the result
 *   is the same in a fresh process, in-process tests and a long-lived runner.
 */





const DEFAULT_PORT = { starttls: 587, implicitTls: 465 };
const emailOptions = record(schemas_string(), schemas_string()).transform((raw, ctx) => {
    const problems = [];
    const parsed = parseEmailOptions(raw, problems);
    for (const p of problems)
        ctx.addIssue({ code: 'custom', path: [p.input], message: p.message });
    return parsed ?? NEVER;
});
/** Inputs → options; every problem is collected (not just the first) so one run shows them all. */
function parseEmailOptions(raw, problems) {
    const get = (name) => (raw[name] ?? '').trim();
    const before = problems.length;
    const smtpUrl = get('smtp_url');
    let server = null;
    if (smtpUrl !== '') {
        for (const name of ['smtp_host', 'smtp_port', 'smtp_secure']) {
            if (get(name) !== '')
                problems.push({ input: name, message: 'not together with smtp_url (the URL already names the server); give one or the other' });
        }
        server = parseSmtpUrl(smtpUrl, problems);
        if (server && server.username === null && get('smtp_username') !== '') {
            server = { ...server, username: get('smtp_username'), password: raw.smtp_password ?? null };
        }
    }
    else if (get('smtp_host') !== '') {
        server = parseServerInputs(raw, problems);
    }
    else {
        problems.push({ input: 'smtp_url', message: 'missing; give smtp_url (smtp://user:password@host:587 or smtps://…:465) or smtp_host' });
    }
    if (server && server.username !== null && !server.password) {
        problems.push({ input: smtpUrl !== '' && get('smtp_username') === '' ? 'smtp_url' : 'smtp_password', message: 'a user name is given but no password' });
    }
    const to = parseAddressList('to', get('to'), problems);
    const cc = parseAddressList('cc', get('cc'), problems);
    const bcc = parseAddressList('bcc', get('bcc'), problems);
    if (to.length + cc.length + bcc.length === 0)
        problems.push({ input: 'to', message: 'missing; give at least one recipient in to, cc or bcc' });
    let from = null;
    if (get('from') !== '') {
        const list = parseAddressList('from', get('from'), problems);
        if (list.length > 1)
            problems.push({ input: 'from', message: 'expected one sender address' });
        from = list[0] ?? null;
    }
    else if (server?.username && isEmailAddress(server.username)) {
        // Most providers only accept mail from the authenticated mailbox anyway.
        from = { name: 'ci-notify', address: server.username };
    }
    else {
        problems.push({ input: 'from', message: 'missing; give the sender, e.g. "CI <ci@example.com>"' });
    }
    if (problems.length > before || !server || !from)
        return null;
    return { server, smtpUrl: smtpUrl === '' ? null : smtpUrl, from, to, cc, bcc };
}
/** The URL is a secret: errors describe what is wrong without quoting any of it. */
function parseSmtpUrl(text, problems) {
    const expected = 'expected smtp://user:password@host:587 or smtps://user:password@host:465';
    let url;
    try {
        url = new URL(text);
    }
    catch {
        problems.push({ input: 'smtp_url', message: `not a URL; ${expected}` });
        return null;
    }
    const scheme = url.protocol.replace(/:$/, '').toLowerCase();
    if (scheme !== 'smtp' && scheme !== 'smtps') {
        problems.push({ input: 'smtp_url', message: `the scheme must be smtp or smtps; ${expected}` });
        return null;
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (host === '') {
        problems.push({ input: 'smtp_url', message: `no host; ${expected}` });
        return null;
    }
    const secure = scheme === 'smtps';
    const port = url.port === '' ? (secure ? DEFAULT_PORT.implicitTls : DEFAULT_PORT.starttls) : Number(url.port);
    const decode = (s) => {
        try {
            return decodeURIComponent(s);
        }
        catch {
            return s;
        }
    };
    const username = url.username === '' ? null : decode(url.username);
    const password = url.password === '' ? null : decode(url.password);
    return { host, port, secure, username, password };
}
function parseServerInputs(raw, problems) {
    const get = (name) => (raw[name] ?? '').trim();
    const host = get('smtp_host');
    if (/[\s/@:]/.test(host) && !/^\[?[0-9a-f:]+\]?$/i.test(host)) {
        problems.push({ input: 'smtp_host', message: `"${host.slice(0, 60)}" is not a host name (give only the host; use smtp_url for a URL)` });
        return null;
    }
    let secure = null;
    const secureText = get('smtp_secure').toLowerCase();
    if (secureText !== '') {
        secure = ['true', 'yes', '1', 'on'].includes(secureText) ? true : ['false', 'no', '0', 'off'].includes(secureText) ? false : null;
        if (secure === null) {
            problems.push({ input: 'smtp_secure', message: 'expected true (implicit TLS, usually port 465) or false (STARTTLS, usually 587)' });
            return null;
        }
    }
    let port;
    const portText = get('smtp_port');
    if (portText === '') {
        port = secure ? DEFAULT_PORT.implicitTls : DEFAULT_PORT.starttls;
    }
    else if (/^\d{1,5}$/.test(portText) && Number(portText) >= 1 && Number(portText) <= 65535) {
        port = Number(portText);
    }
    else {
        problems.push({ input: 'smtp_port', message: `expected a port number like 587 or 465, got "${portText.slice(0, 20)}"` });
        return null;
    }
    const username = get('smtp_username');
    const password = raw.smtp_password ?? '';
    return {
        host: host.replace(/^\[(.*)\]$/, '$1'),
        port,
        secure: secure ?? port === DEFAULT_PORT.implicitTls,
        username: username === '' ? null : username,
        password: password === '' ? null : password,
    };
}
/**
 * "a@x.com, Bob <b@x.com>; c@x.com" (commas, semicolons, newlines; a quoted display name may
 * contain them) → addresses. Every entry is checked, and a bad one is named.
 */
function parseAddressList(input, text, problems) {
    const out = [];
    for (const entry of splitAddresses(text)) {
        const angle = /^(.*?)<([^<>]*)>$/s.exec(entry);
        const name = angle ? (angle[1] ?? '').trim().replace(/^"(.*)"$/s, '$1') : '';
        const address = (angle ? (angle[2] ?? '') : entry).trim();
        if (!isEmailAddress(address)) {
            problems.push({ input, message: `"${entry.slice(0, 100)}" is not an e-mail address` });
            continue;
        }
        out.push({ name: oneLine(name.replace(/\\(.)/g, '$1')), address });
    }
    return out;
}
function splitAddresses(text) {
    const entries = [];
    let current = '';
    let quoted = false;
    for (const ch of text) {
        if (ch === '"')
            quoted = !quoted;
        if (!quoted && (ch === ',' || ch === ';' || ch === '\n' || ch === '\r')) {
            entries.push(current);
            current = '';
        }
        else {
            current += ch;
        }
    }
    entries.push(current);
    return entries.map((e) => e.trim()).filter((e) => e !== '');
}
/**
 * A practical check, not full RFC 5322: one `@`, a local part without spaces or specials, a domain of
 * dot-separated labels (`localhost` and IDN domains allowed) or an address literal `[192.0.2.1]`.
 */
function isEmailAddress(address) {
    const at = address.lastIndexOf('@');
    if (at <= 0 || at !== address.indexOf('@'))
        return false;
    const local = address.slice(0, at);
    const domain = address.slice(at + 1);
    if (local.length > 64 || address.length > 254)
        return false;
    if (!/^[^\s"(),:;<>@[\\\]]+$/u.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..'))
        return false;
    if (/^\[[0-9a-f.:]+\]$/i.test(domain))
        return true;
    return /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*$/u.test(domain);
}
const SUBJECT_REF = {
    en: (ref) => ` on ${ref}`,
    zh: (ref) => ` · ${ref}`,
};
/**
 * The subject is the `title` template when given, else MESSAGES.md's
 * `❌ [acme/api] CI #128 failed on main`. Either way it is ONE line: CR/LF in repository text
 * (a commit title "x\r\nBcc: evil@…") can never start a header.
 */
function emailSubject(message, titleTemplate) {
    if (titleTemplate.trim() !== '')
        return oneLine(message.title);
    const repo = message.repository ? `[${message.repository}] ` : '';
    const ref = message.event.ref.name ? SUBJECT_REF[message.locale](message.event.ref.name) : '';
    return oneLine(`${message.status_emoji} ${repo}${message.headline}${ref}`);
}
function buildEmailMessage(options, message, titleTemplate) {
    return {
        from: options.from,
        to: options.to,
        cc: options.cc,
        bcc: options.bcc,
        subject: emailSubject(message, titleTemplate),
        text: renderEmailText(message),
        html: renderEmailHtml(message),
        headers: {
            // RFC 3834: an automated message; well-behaved servers send no vacation replies to it.
            'Auto-Submitted': 'auto-generated',
            'X-CI-Notify-Delivery': oneLine(message.event.id),
        },
    };
}
/** The dry-run print: headers and the text part, as they would go out. */
function describeEmail(server, mail) {
    const list = (xs) => xs.map(formatAddress).join(', ');
    const lines = [
        `email via ${server.host}:${server.port} (${server.secure ? 'implicit TLS' : 'STARTTLS'}${server.username ? `, AUTH as ${server.username}` : ''})`,
        `From: ${formatAddress(mail.from)}`,
    ];
    if (mail.to.length)
        lines.push(`To: ${list(mail.to)}`);
    if (mail.cc.length)
        lines.push(`Cc: ${list(mail.cc)}`);
    if (mail.bcc.length)
        lines.push(`Bcc: ${list(mail.bcc)}`);
    lines.push(`Subject: ${mail.subject}`);
    for (const [name, value] of Object.entries(mail.headers))
        lines.push(`${name}: ${value}`);
    lines.push('', mail.text);
    return lines.join('\n');
}
function formatAddress(a) {
    return a.name ? `${a.name} <${a.address}>` : a.address;
}
// ---------------------------------------------------------------------------------------------
// Sending
/** The transport settings nodemailer gets (pure, given the CA list). */
function transportOptions(server, timeoutMs, ca) {
    const credentials = server.username !== null && server.password !== null;
    return {
        host: server.host,
        port: server.port,
        secure: server.secure,
        ...(credentials ? { auth: { user: server.username, pass: server.password } } : {}),
        // Credentials over a plain port: STARTTLS is mandatory (see the header comment).
        requireTLS: !server.secure && credentials,
        opportunisticTLS: false,
        tls: { rejectUnauthorized: true, minVersion: 'TLSv1.2', ...(ca ? { ca } : {}) },
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
        disableFileAccess: true,
        disableUrlAccess: true,
    };
}
/**
 * NODE_EXTRA_CA_CERTS of the run's environment, read as a file and added to the default roots.
 * null = nothing to add (Node's own defaults apply).
 */
async function extraCaCertificates(env, warn) {
    const file = env.NODE_EXTRA_CA_CERTS;
    if (!file)
        return null;
    let pem;
    try {
        pem = (0,external_node_fs_.readFileSync)(file, 'utf8');
    }
    catch {
        warn(`NODE_EXTRA_CA_CERTS: cannot read "${file}"; using the default certificate authorities only`);
        return null;
    }
    // Loaded here, not at the top: startup stays lean for runs without e-mail targets.
    const tls = await Promise.resolve(/* import() */).then(__nccwpck_require__.t.bind(__nccwpck_require__, 1692, 23));
    // getCACertificates('default') (Node ≥ 22.15) includes system CAs when Node was told to use them.
    const tlsWithDefaults = tls;
    const roots = tlsWithDefaults.getCACertificates ? tlsWithDefaults.getCACertificates('default') : [...tls.rootCertificates];
    return [...roots, pem];
}
const TLS_CERT_CODES = new Set([
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'ERR_TLS_CERT_ALTNAME_INVALID',
]);
/**
 * nodemailer errors → one line we build ourselves (its messages can quote server replies and, with
 * some servers, the AUTH exchange), with the hint that names the input to check.
 */
function classifySmtpError(err, server) {
    const e = (err ?? {});
    const where = `${server.host}:${server.port}`;
    const reply = e.response ? oneLine(e.response).slice(0, 160) : '';
    const code = typeof e.responseCode === 'number' ? e.responseCode : null;
    const text = `${e.message ?? ''} ${e.cause?.code ?? ''}`;
    const certCode = [...TLS_CERT_CODES].find((c) => text.includes(c)) ?? certCodeFromMessage(text);
    if (e.code === 'EAUTH' || (code !== null && (code === 535 || code === 534 || code === 530) && e.command?.startsWith('AUTH'))) {
        return {
            transient: code !== null && code >= 400 && code < 500,
            status_code: code,
            error: `authentication failed at ${where}${code ? ` (${code})` : ''}`,
            hint: 'check smtp_username/smtp_password (some providers want an app password)',
        };
    }
    if (code === 530 || e.code === 'ENOAUTH') {
        return {
            transient: false,
            status_code: code,
            error: `${where} requires authentication${reply ? ` (${reply})` : ''}`,
            hint: 'set smtp_username/smtp_password (or the credentials in smtp_url)',
        };
    }
    if (certCode) {
        return {
            transient: false,
            status_code: null,
            error: `TLS: the certificate of ${where} is not trusted (${certCode})`, hint: `use the host name on the certificate, or add the private CA through NODE_EXTRA_CA_CERTS`,
        };
    }
    if (/wrong version number|packet length too long|unknown protocol|ssl3_get_record/i.test(text)) {
        return {
            transient: false,
            status_code: null,
            error: `TLS handshake with ${where} failed`, hint: `check smtp_secure: port 465 is implicit TLS (smtps://, smtp_secure true), 587/25 use STARTTLS (smtp://, smtp_secure false)`,
        };
    }
    if (e.code === 'ETLS' || /STARTTLS/i.test(text)) {
        return {
            transient: false,
            status_code: code,
            error: `TLS: ${where} does not offer STARTTLS, and credentials are never sent unencrypted`, hint: `use smtps:// (port 465) or a server with STARTTLS`,
        };
    }
    if (/ECONNREFUSED/.test(text)) {
        return { transient: true, status_code: null, error: `connection refused by ${where}`, hint: `check smtp_host/smtp_port and that the server is reachable from the runner` };
    }
    if (/ENOTFOUND|EAI_AGAIN/.test(text) || e.code === 'EDNS') {
        return { transient: /EAI_AGAIN/.test(text), status_code: null, error: `cannot resolve the SMTP host ${server.host}`, hint: `check smtp_host` };
    }
    if (e.code === 'ETIMEDOUT' || /ETIMEDOUT|timeout/i.test(text)) {
        return { transient: true, status_code: null, error: `timed out talking to ${where}`, hint: `check smtp_host/smtp_port and the firewall (many networks block outbound port 25)` };
    }
    if (e.code === 'EENVELOPE' && code !== null && code >= 500) {
        const who = e.rejected?.length ? e.rejected.join(', ') : e.recipient ?? '';
        const isSender = e.command?.startsWith('MAIL');
        return {
            transient: false,
            status_code: code,
            error: isSender
                ? `the sender was rejected (${reply || code})`
                : `recipient rejected${who ? `: ${who}` : ''} (${reply || code})`,
            hint: isSender ? 'check from (many servers only accept the authenticated mailbox)' : 'check to/cc/bcc',
        };
    }
    if (code !== null && code >= 400 && code < 500) {
        return { transient: true, status_code: code, error: `temporary SMTP failure at ${where} (${reply || code})` };
    }
    if (code !== null && code >= 500) {
        return { transient: false, status_code: code, error: `the SMTP server refused the message (${reply || code})` };
    }
    if (/ECONNRESET|EPIPE|ECONNECTION|socket|closed/i.test(`${e.code ?? ''} ${text}`)) {
        return { transient: true, status_code: null, error: `the connection to ${where} was closed unexpectedly` };
    }
    return { transient: false, status_code: code, error: `sending through ${where} failed (${e.code ?? 'error'})` };
}
function certCodeFromMessage(text) {
    if (/self[- ]signed certificate/i.test(text))
        return 'self-signed certificate';
    if (/unable to verify the first certificate/i.test(text))
        return 'unable to verify the first certificate';
    if (/Hostname\/IP does not match certificate/i.test(text))
        return 'host name does not match the certificate';
    if (/certificate has expired/i.test(text))
        return 'certificate has expired';
    return null;
}
/** The password, the URL that carries it, and the AUTH PLAIN token a server might echo back. */
function emailSecrets(options) {
    const { username, password } = options.server;
    const list = [options.smtpUrl ?? '', password ?? ''];
    if (username && password)
        list.push(Buffer.from(`\u0000${username}\u0000${password}`).toString('base64'));
    return list.filter((s) => s !== '');
}
/** 1 s, 2 s, 4 s … capped at 30 s, with jitter: SMTP greylisting wants a real pause. */
function defaultBackoff(retry) {
    const ceiling = Math.min(30_000, 1000 * 2 ** (retry - 1));
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
function createEmailChannel(deps = {}) {
    const backoffMs = deps.backoffMs ?? defaultBackoff;
    const sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    return {
        type: 'email',
        options: emailOptions,
        msgTypes: [],
        secrets: emailSecrets,
        async send(ctx) {
            const started = performance.now();
            const elapsed = () => Math.round(performance.now() - started);
            const { options } = ctx;
            const redactor = new Redactor();
            for (const secret of emailSecrets(options))
                redactor.add(secret);
            const mail = buildEmailMessage(options, ctx.message, ctx.target.title);
            if (ctx.dryRun) {
                ctx.log.info(redactor.redact(describeEmail(options.server, mail)));
                return { ok: true, dry_run: true, attempts: 0, status_code: null, error: null, answer: null, duration_ms: elapsed() };
            }
            const ca = await extraCaCertificates(ctx.env, (line) => ctx.log.warn(line));
            const nodemailer = await __nccwpck_require__.e(/* import() */ 739).then(__nccwpck_require__.bind(__nccwpck_require__, 6739));
            const maxAttempts = 1 + Math.max(0, ctx.target.retries);
            let failure = null;
            let attempts = 0;
            while (attempts < maxAttempts) {
                attempts++;
                const transport = nodemailer.createTransport(transportOptions(options.server, ctx.target.timeout_ms, ca));
                try {
                    const info = (await transport.sendMail({
                        from: mail.from,
                        to: mail.to,
                        cc: mail.cc,
                        bcc: mail.bcc,
                        subject: mail.subject,
                        text: mail.text,
                        html: mail.html,
                        headers: mail.headers,
                        disableFileAccess: true,
                        disableUrlAccess: true,
                    }));
                    const statusCode = Number(/^\d{3}/.exec(info.response ?? '')?.[0] ?? NaN);
                    const rejected = (info.rejected ?? []).map(String);
                    if (rejected.length > 0) {
                        // Sent to the others already: a retry would send them a second copy.
                        return {
                            ok: false,
                            dry_run: false,
                            attempts,
                            status_code: Number.isNaN(statusCode) ? null : statusCode,
                            error: redactor.redact(`delivered to ${info.accepted?.length ?? 0} recipient(s), rejected: ${rejected.join(', ')} — check to/cc/bcc`),
                            answer: null,
                            duration_ms: elapsed(),
                        };
                    }
                    return { ok: true, dry_run: false, attempts, status_code: Number.isNaN(statusCode) ? null : statusCode, error: null, answer: null, duration_ms: elapsed() };
                }
                catch (err) {
                    failure = classifySmtpError(err, options.server);
                    if (!failure.transient || attempts >= maxAttempts)
                        break;
                    const wait = backoffMs(attempts);
                    ctx.log.debug(redactor.redact(`email ${ctx.target.name}: attempt ${attempts + 1}/${maxAttempts} after "${failure.error}", waiting ${wait} ms`));
                    await sleep(wait);
                }
                finally {
                    transport.close();
                }
            }
            const gaveUp = attempts > 1 ? ` (gave up after ${attempts} attempts)` : '';
            const hint = failure?.hint ? ` — ${failure.hint}` : '';
            return {
                ok: false,
                dry_run: false,
                attempts,
                status_code: failure?.status_code ?? null,
                error: redactor.redact(oneLine(`${failure?.error ?? 'not sent'}${gaveUp}${hint}`)),
                answer: null,
                duration_ms: elapsed(),
            };
        },
    };
}
const email_email = createEmailChannel();

;// CONCATENATED MODULE: ./src/channels/lark-app.ts
/**
 * `lark_app`: a Feishu/Lark self-built app sends the notification to people or chats
 * (API_FACTS §D; USER_VOICES #20). One tenant_access_token per app per run (§D.1), then one
 * `im/v1/messages` call per receiver (§D.2), each its own delivery with its own result.
 * The message is the same card (or post/text) as the `lark` robot, built by lark-card.ts, but sent
 * as a JSON STRING in `content` — im/v1 rejects an object there.
 * Reads top to bottom: options, limits, token, request builder, answer reader, send.
 */







// ---------------------------------------------------------------------------------------------
// Options
const RECEIVE_ID_TYPES = ['open_id', 'user_id', 'union_id', 'email', 'chat_id'];
const LARK_APP_MSG_TYPES = ['interactive', 'post', 'text'];
const DOMAINS = { feishu: 'https://open.feishu.cn', lark: 'https://open.larksuite.com', larksuite: 'https://open.larksuite.com' };
const larkAppOptions = record(schemas_string(), schemas_string()).transform((raw, ctx) => {
    const get = (name) => (raw[name] ?? '').trim();
    const problem = (input, message) => ctx.addIssue({ code: 'custom', path: [input], message });
    const appId = get('app_id');
    if (appId === '')
        problem('app_id', 'missing; give the app id of the self-built app (cli_…, on the Credentials page of the developer console)');
    const appSecret = get('app_secret');
    if (appSecret === '')
        problem('app_secret', 'missing; give the app secret (best as a secret: env:LARK_APP_SECRET)');
    const typeText = get('receive_id_type').toLowerCase() || 'email';
    const receiveIdType = RECEIVE_ID_TYPES.find((t) => t === typeText);
    if (!receiveIdType)
        problem('receive_id_type', `"${typeText.slice(0, 30)}" is not one of ${RECEIVE_ID_TYPES.join(', ')}`);
    const receiveIds = [...new Set(get('receive_ids').split(/[\s,;]+/).filter((id) => id !== ''))];
    if (receiveIds.length === 0)
        problem('receive_ids', `missing; give who receives the message (${receiveIdType ?? 'email'} values, comma separated)`);
    if (receiveIdType === 'email') {
        for (const id of receiveIds)
            if (!isEmailAddress(id))
                problem('receive_ids', `"${id.slice(0, 100)}" is not an e-mail address (receive_id_type is email)`);
    }
    const domainText = get('domain') || 'feishu';
    let baseUrl = DOMAINS[domainText.toLowerCase()] ?? null;
    if (!baseUrl && /^https?:\/\/[^\s?#]+$/i.test(domainText))
        baseUrl = domainText.replace(/\/+$/, '');
    if (!baseUrl)
        problem('domain', 'expected feishu, lark or a base URL such as https://open.feishu.cn');
    if (!receiveIdType || !baseUrl || appId === '' || appSecret === '' || receiveIds.length === 0)
        return NEVER;
    return { appId, appSecret, receiveIdType, receiveIds, baseUrl };
});
// ---------------------------------------------------------------------------------------------
// Limits (§D.2): text ≤ 150 KB, card and post ≤ 30 KB, measured on the request body.
const BODY_LIMIT = { interactive: 30_000, post: 30_000, text: 150_000 };
/** Keyed by base URL + app id + a hash of the secret (never the secret itself). */
const tokenCache = new Map();
/** A token is re-requested when less than this is left (Lark issues a new one in the last 30 min). */
const TOKEN_MARGIN_MS = 5 * 60_000;
/** Forgets every cached token (tests; a new run in a long-lived process gets fresh ones anyway on expiry). */
function forgetLarkAppTokens() {
    tokenCache.clear();
}
function tokenKey(options) {
    return `${options.baseUrl}\n${options.appId}\n${(0,external_node_crypto_.createHash)('sha256').update(options.appSecret).digest('hex')}`;
}
function tokenRequest(options) {
    return {
        method: 'POST',
        url: `${options.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`,
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ app_id: options.appId, app_secret: options.appSecret }),
    };
}
/** Lark's "slow down" codes: API frequency limit (99991400) and per-receiver message limit (230020). */
const RATE_CODES = new Set([99991400, 230020]);
const TOKEN_CODES = new Set([99991661, 99991663, 99991664, 99991668, 99991671]);
function readTokenAnswer(answer) {
    const json = asObject(answer.json);
    const code = json ? numberField(json, 'code') : undefined;
    if (json && code === 0 && typeof json.tenant_access_token === 'string' && json.tenant_access_token !== '')
        return { ok: true };
    if (code === undefined) {
        return { ok: false, retry: false, error: `tenant_access_token: no Lark answer (${httpErrorLine(answer)})`, hint: 'check domain (feishu, lark or the base URL of the API)' };
    }
    return {
        ok: false,
        retry: RATE_CODES.has(code),
        error: `tenant_access_token: code ${code}${messageOf(json)}`,
        hint: RATE_CODES.has(code) ? 'rate limited' : 'check app_id/app_secret (Credentials page of the self-built app) and domain (feishu or lark)',
    };
}
async function tenantToken(ctx, refresh) {
    const key = tokenKey(ctx.options);
    const nowMs = ctx.now().getTime();
    const cached = refresh ? undefined : tokenCache.get(key);
    if (cached) {
        const result = await cached;
        if (!result.ok || result.grant.expiresAtMs - TOKEN_MARGIN_MS > nowMs)
            return result;
    }
    const pending = (async () => {
        const outcome = await ctx.http.deliver(tokenRequest(ctx.options), readTokenAnswer, { label: `lark_app ${ctx.target.name} token` });
        const json = asObject(outcome.answer?.json);
        if (!outcome.ok || !json || typeof json.tenant_access_token !== 'string')
            return { ok: false, outcome };
        const expire = numberField(json, 'expire') ?? 7200;
        return { ok: true, grant: { token: json.tenant_access_token, expiresAtMs: nowMs + expire * 1000 } };
    })();
    tokenCache.set(key, pending);
    const result = await pending;
    // A failure is shared by the receivers waiting on it, but not kept for the next run.
    if (!result.ok && tokenCache.get(key) === pending)
        tokenCache.delete(key);
    return result;
}
// ---------------------------------------------------------------------------------------------
// Request
/** ≤ 50 characters (§D.2), the same for a retry of the same (event, receiver): Lark sends it once. */
function messageUuid(eventId, receiveIdType, receiveId) {
    return (0,external_node_crypto_.createHash)('sha256').update(`${eventId}\n${receiveIdType}\n${receiveId}`).digest('hex').slice(0, 36);
}
/** The `content` object for the message type; the caller serialises it into a string. */
function larkAppContent(message, type, mentions, clip) {
    switch (type) {
        case 'interactive':
            return larkCard(message, mentions, { clip });
        case 'post':
            return larkPost(message, mentions, { clip });
        case 'text':
            return larkText(message, mentions, { clip });
    }
}
function messageBody(receiveId, type, content, uuid) {
    return { receive_id: receiveId, msg_type: type, content: JSON.stringify(content), uuid };
}
function messageRequest(options, token, body) {
    return {
        method: 'POST',
        url: `${options.baseUrl}/open-apis/im/v1/messages?receive_id_type=${options.receiveIdType}`,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
    };
}
// ---------------------------------------------------------------------------------------------
// Answer (§D.2: errors come as HTTP 400 with a code, success is code 0)
const MESSAGE_HINTS = {
    230001: 'invalid parameter (see the message): check receive_id_type and receive_ids',
    230002: "the app's bot is not in this chat: add the bot to the group",
    230006: 'the app has no bot: enable the Bot capability and publish a new version',
    230013: "the receiver is not in the app's availability scope (or has left): add them under Availability and publish a new version, or check the id",
    230017: 'the bot is not the owner of this resource',
    230018: 'the group settings do not allow the bot to post',
    230025: 'the message is too long for Lark (30 KB card/post, 150 KB text): shorten the template',
    230027: 'the app lacks a permission: enable im:message:send_as_bot (user_id also needs contact:user.employee_id:readonly) and publish a new version',
    230029: 'the receiver has left the organisation',
    230034: 'the receive_id does not fit receive_id_type: check both',
    230035: 'the bot may not send to this receiver (muted or blocked)',
    230038: 'cross-tenant direct messages are not allowed',
    230053: 'the receiver has turned off messages from this bot',
    232009: 'the chat has been dissolved',
};
function readMessageAnswer(answer) {
    const json = asObject(answer.json);
    const code = json ? numberField(json, 'code') : undefined;
    if (code === 0) {
        const data = asObject(json?.data);
        return { ok: true, ...(typeof data?.message_id === 'string' ? { note: `message ${data.message_id}` } : {}) };
    }
    if (json === null || code === undefined) {
        return { ok: false, retry: false, error: `no Lark answer (${httpErrorLine(answer)})`, hint: 'check domain (feishu, lark or the base URL of the API)' };
    }
    const error = `code ${code}${messageOf(json)}`;
    if (RATE_CODES.has(code))
        return { ok: false, retry: true, error, hint: 'rate limited (5 messages per second per receiver)' };
    if (TOKEN_CODES.has(code))
        return { ok: false, retry: false, error, hint: 'the tenant_access_token was refused: check app_id/app_secret' };
    const hint = MESSAGE_HINTS[code];
    return { ok: false, retry: false, error, ...(hint ? { hint } : {}) };
}
// ---------------------------------------------------------------------------------------------
// Send
const larkApp = {
    type: 'lark_app',
    options: larkAppOptions,
    secrets: (options) => [options.appSecret],
    msgTypes: LARK_APP_MSG_TYPES,
    async send(ctx) {
        const { options, target, message } = ctx;
        const type = (LARK_APP_MSG_TYPES.find((t) => t === target.msg_type) ?? 'interactive');
        // Mentions mean something in a group chat only; in a direct message the receiver is notified anyway.
        const mentions = ctx.mention && options.receiveIdType === 'chat_id' ? { userIds: target.at_user_ids, all: target.at_all } : { userIds: [], all: false };
        const fitted = fitWithinBytes((clip) => larkAppContent(message, type, mentions, clip), (content) => Buffer.byteLength(JSON.stringify(messageBody('x'.repeat(64), type, content, 'x'.repeat(36)))), BODY_LIMIT[type], truncationMarker(message.locale));
        const bodies = options.receiveIds.map((id) => messageBody(id, type, fitted.value, messageUuid(ctx.event.id, options.receiveIdType, id)));
        const label = (id) => `lark_app ${target.name} → ${id}`;
        if (ctx.dryRun) {
            // No token is fetched in a dry run: nothing leaves the runner.
            const results = [];
            for (const body of bodies) {
                const outcome = await ctx.http.deliver(messageRequest(options, '<tenant_access_token>', body), readMessageAnswer, { label: label(body.receive_id) });
                results.push({ ...outcome, receiver: body.receive_id });
            }
            return results;
        }
        const first = await tenantToken(ctx, false);
        if (!first.ok) {
            const failed = first.outcome;
            return bodies.map((body) => ({ ...failed, attempts: 0, answer: null, receiver: body.receive_id }));
        }
        let token = first.grant.token;
        return Promise.all(bodies.map(async (body) => {
            let outcome = await ctx.http.deliver(messageRequest(options, token, body), readMessageAnswer, { label: label(body.receive_id) });
            const code = numberField(asObject(outcome.answer?.json) ?? {}, 'code');
            if (!outcome.ok && code !== undefined && TOKEN_CODES.has(code)) {
                // The cached token was revoked or expired early: fetch a new one once and resend (same uuid).
                const again = await tenantToken(ctx, true);
                if (again.ok) {
                    token = again.grant.token;
                    const retried = await ctx.http.deliver(messageRequest(options, token, body), readMessageAnswer, { label: label(body.receive_id) });
                    outcome = { ...retried, attempts: outcome.attempts + retried.attempts };
                }
            }
            return { ...outcome, receiver: body.receive_id };
        }));
    },
};
// ---------------------------------------------------------------------------------------------
// Small readers
function asObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null;
}
function numberField(json, name) {
    const v = json[name];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
/** ": msg" from Lark's answer, one line and short. */
function messageOf(json) {
    const msg = json && typeof json.msg === 'string' ? oneLine(json.msg).slice(0, 160) : '';
    return msg ? `: ${msg}` : '';
}

;// CONCATENATED MODULE: ./src/channels/cdevents.ts
/** v0.5.1 renamed `version` to `specversion` and `url` to `uri`; the schemas are the truth (§G.1 CONFLICT). */
const CDEVENTS_SPEC_VERSION = '0.5.1';
function pipelineRunPhase(status) {
    if (status === 'pending')
        return 'queued';
    if (status === 'running')
        return 'started';
    return 'finished';
}
/**
 * The outcome enum of pipelinerun.finished has no "skipped" and no "unknown". A skipped run was
 * stopped on purpose before doing its work, which is what `cancel` says (it did not fail, it did
 * not succeed). An unknown status means we cannot tell how the run ended; claiming success or
 * failure would be invented, and `error` is the spec's word for "did not complete as expected".
 */
function pipelineRunOutcome(status) {
    switch (status) {
        case 'success':
            return 'success';
        case 'failure':
            return 'failure';
        case 'cancelled':
        case 'skipped':
            return 'cancel';
        default:
            return 'error';
    }
}
function toCdevent(event, now) {
    const phase = pipelineRunPhase(event.status);
    const type = `dev.cdevents.pipelinerun.${phase}.0.3.0`;
    // The occurrence time: when the run reached this state, not when we happened to send.
    const occurred = (phase === 'finished' ? event.pipeline.finished_at : phase === 'started' ? event.pipeline.started_at : null) ??
        event.timestamp;
    const timestamp = Number.isNaN(Date.parse(occurred)) ? now.toISOString() : occurred;
    const source = event.repository.url ?? event.server_url ?? 'urn:ci-notify';
    const subjectId = `${event.repository.full_name ?? 'pipeline'}/${event.pipeline.id ?? event.pipeline.number ?? event.id}`;
    // pipelinerun.started requires pipelineName and uri; the others accept them.
    const content = {
        pipelineName: event.pipeline.name ?? event.repository.full_name ?? 'pipeline',
        uri: event.pipeline.url ?? event.repository.url ?? `urn:ci-notify:pipelinerun:${event.id}`,
    };
    if (phase === 'finished') {
        content.outcome = pipelineRunOutcome(event.status);
        const failed = event.jobs.filter((job) => job.status === 'failure').map((job) => job.name);
        if (content.outcome === 'failure' && failed.length > 0)
            content.errors = `failed jobs: ${failed.join(', ')}`;
    }
    const cdevent = {
        context: { specversion: CDEVENTS_SPEC_VERSION, id: event.id, source, type, timestamp },
        subject: { id: subjectId, content },
        // The whole ci-notify event rides along, so a consumer needs no second source for commit or jobs.
        customData: event,
        customDataContentType: 'application/json',
    };
    // Binary mode (API_FACTS §G.3): attributes in ce-* headers, the full CDEvent as the body,
    // Content-Type application/json and no ce-datacontenttype.
    const headers = {
        'Content-Type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': encodeCloudEventsHeader(cdevent.context.id),
        'ce-source': encodeCloudEventsHeader(source),
        'ce-type': type,
        'ce-subject': encodeCloudEventsHeader(subjectId),
        'ce-time': timestamp,
    };
    return { headers, body: JSON.stringify(cdevent) };
}
/**
 * CloudEvents HTTP binding §3.1.3.2: a header value percent-encodes space, `"`, `%` and every
 * character outside printable ASCII, as UTF-8 bytes. (A repository name in Chinese must not
 * become an invalid HTTP header.)
 */
function encodeCloudEventsHeader(value) {
    let out = '';
    for (const ch of value) {
        const code = ch.codePointAt(0) ?? 0;
        if (code > 0x20 && code < 0x7f && ch !== '"' && ch !== '%')
            out += ch;
        else
            for (const byte of Buffer.from(ch, 'utf8'))
                out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    return out;
}

;// CONCATENATED MODULE: ./src/channels/webhook.ts
/**
 * `webhook`: the event to any HTTP endpoint (DESIGN §5.1). The wire format is a contract other
 * programs rely on: JSON of the CiEvent, X-CI-Notify-* headers, GitHub-compatible or Standard
 * Webhooks signatures over the exact bytes sent; or a CDEvents event; or the user's template.
 */





// ── options ──────────────────────────────────────────────────────────────────────────────────
/** '' means "not given" for every input (action inputs and NOTIFY_* variables are never absent). */
function blankAsMissing(value) {
    return typeof value === 'string' && value.trim() === '' ? undefined : value;
}
function webhook_isHttpUrl(value) {
    try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:';
    }
    catch {
        return false;
    }
}
/** A required http(s) URL. The message never quotes the value: URLs carry tokens. */
const httpUrlInput = preprocess((value) => (typeof value === 'string' ? value.trim() || undefined : value), schemas_string({ error: 'expected an http(s) URL' }).refine(webhook_isHttpUrl, { message: 'expected an http(s) URL' }));
/** `Name: value` per line; blank lines and `#` comments are skipped. */
function parseHeaderLines(text) {
    const headers = [];
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
        const line = (lines[i] ?? '').trim();
        if (!line || line.startsWith('#'))
            continue;
        const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
        if (!match)
            return { headers, badLine: i + 1 };
        headers.push([match[1], match[2].trim()]);
    }
    return { headers, badLine: null };
}
const SIGNATURES = ['sha256', 'sha1', 'standard'];
const FORMATS = ['json', 'cdevents', 'template'];
const upperCaseWord = (value) => (typeof value === 'string' ? value.trim().toUpperCase() : value);
const lowerCaseWord = (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value);
const webhookOptions = object({
    url: httpUrlInput,
    method: preprocess((v) => upperCaseWord(blankAsMissing(v)), schemas_enum(['POST', 'GET', 'PUT'], { error: 'expected POST, GET or PUT' }).default('POST')),
    headers: preprocess(blankAsMissing, schemas_string().optional()).transform((text, ctx) => {
        if (!text)
            return [];
        const { headers, badLine } = parseHeaderLines(text);
        if (badLine !== null) {
            // The line is not quoted: a header line is as likely as not to hold a token.
            ctx.addIssue({ code: 'custom', message: `line ${badLine}: expected "Name: value"` });
            return NEVER;
        }
        return headers;
    }),
    username: preprocess(blankAsMissing, schemas_string().optional()),
    password: preprocess(blankAsMissing, schemas_string().optional()),
    format: preprocess((v) => lowerCaseWord(blankAsMissing(v)), schemas_enum(FORMATS, { error: 'expected json, cdevents or template' }).default('json')),
    signature: preprocess((v) => lowerCaseWord(blankAsMissing(v)), schemas_enum(SIGNATURES, { error: 'expected sha256, sha1 or standard' }).default('sha256')),
    secret: preprocess(blankAsMissing, schemas_string().optional()),
    /** Read only to check that `format: template` has one; rendering uses target.template. */
    template: preprocess(blankAsMissing, schemas_string().optional()),
})
    .superRefine((options, ctx) => {
    if (options.password !== undefined && options.username === undefined) {
        ctx.addIssue({ code: 'custom', path: ['username'], message: 'required when password is set (basic auth)' });
    }
    if (options.format === 'template' && options.template === undefined) {
        ctx.addIssue({
            code: 'custom',
            path: ['template'],
            message: 'required when format is template (it is the request body)',
        });
    }
    if (options.method === 'GET' && options.format !== 'json') {
        ctx.addIssue({
            code: 'custom',
            path: ['method'],
            message: `GET sends no body; format ${options.format} needs POST or PUT`,
        });
    }
})
    .transform(({ template: _template, ...options }) => options);
/** Header names whose values are credentials (their values are registered as secrets). */
const CREDENTIAL_HEADER = /authorization|cookie|token|secret|password|api[-_]?key|signature/i;
/** The bytes to send, serialised once: every attempt and every signature covers exactly these. */
function webhookBody(options, event, renderTemplate, now) {
    if (options.method === 'GET')
        return { contentType: null, body: undefined, extraHeaders: {} };
    if (options.format === 'cdevents') {
        const { headers, body } = toCdevent(event, now);
        const { 'Content-Type': contentType = 'application/json', ...ceHeaders } = headers;
        return { contentType, body, extraHeaders: ceHeaders };
    }
    if (options.format === 'template') {
        // A template that renders to JSON (values JSON-escaped, DESIGN §4) is sent as JSON. Anything
        // else (a form body, a line of text) is rendered with values as they are and labelled
        // text/plain, so neither quotes appear around values nor does a receiver try to parse JSON.
        const json = renderTemplate('json');
        if (isJson(json))
            return { contentType: 'application/json', body: json, extraHeaders: {} };
        return { contentType: 'text/plain; charset=utf-8', body: renderTemplate('text'), extraHeaders: {} };
    }
    return { contentType: 'application/json', body: JSON.stringify(event), extraHeaders: {} };
}
/** GET carries the essentials in the query string (DESIGN §5.1); null values are left out. */
function webhookGetUrl(url, event) {
    const target = new URL(url);
    const query = [
        ['id', event.id],
        ['status', event.status],
        ['repository', event.repository.full_name],
        ['ref', event.ref.name],
        ['sha', event.commit.sha],
        ['pipeline_url', event.pipeline.url],
    ];
    for (const [name, value] of query)
        if (value !== null)
            target.searchParams.set(name, value);
    return target.toString();
}
/**
 * Builds one attempt's request. Pure given `now`: the Standard Webhooks timestamp is part of the
 * signed content, so the client calls this again for each attempt.
 */
function buildWebhookRequest(options, event, payload, now) {
    const { url, basicAuth } = splitUrlCredentials(options.url);
    const headers = new HeaderList();
    if (payload.contentType)
        headers.set('Content-Type', payload.contentType);
    headers.set('User-Agent', USER_AGENT);
    headers.set('X-CI-Notify-Event', 'pipeline');
    headers.set('X-CI-Notify-Delivery', event.id);
    for (const [name, value] of Object.entries(payload.extraHeaders))
        headers.set(name, value);
    const user = options.username ?? basicAuth?.user;
    if (user !== undefined) {
        const password = options.username !== undefined ? (options.password ?? '') : (basicAuth?.password ?? '');
        headers.set('Authorization', `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`);
    }
    // The user's headers win over ours (a receiver may want its own Content-Type or User-Agent) …
    for (const [name, value] of options.headers)
        headers.set(name, value);
    // … but not over the signature, which must match the bytes we send.
    if (options.secret) {
        const signed = payload.body ?? '';
        if (options.signature === 'standard') {
            const seconds = Math.floor(now.getTime() / 1000);
            headers.set('webhook-id', event.id);
            headers.set('webhook-timestamp', String(seconds));
            headers.set('webhook-signature', standardWebhookSignature(event.id, seconds, signed, options.secret));
        }
        else if (options.signature === 'sha1') {
            headers.set('X-Hub-Signature', hubSignature(signed, options.secret, 'sha1'));
        }
        else {
            headers.set('X-Hub-Signature-256', hubSignature(signed, options.secret, 'sha256'));
        }
    }
    const method = options.method;
    return {
        method,
        url: method === 'GET' ? webhookGetUrl(url, event) : url,
        headers: headers.toRecord(),
        ...(payload.body !== undefined ? { body: payload.body } : {}),
    };
}
// ── answer ───────────────────────────────────────────────────────────────────────────────────
/** Any 2xx is success; the common refusals get a hint that names the input to check. */
function readWebhookAnswer(answer) {
    const verdict = readHttpStatus(answer);
    if (verdict.ok)
        return verdict;
    const hint = WEBHOOK_HINTS[answer.status];
    return hint ? { ...verdict, error: httpErrorLine(answer), hint } : verdict;
}
const WEBHOOK_HINTS = {
    401: 'the receiver wants credentials: check username/password, headers or secret',
    403: 'the receiver refused: check secret and signature (the receiver must verify the same scheme), headers or username/password',
    404: 'check url (the receiver has no such path)',
    405: 'check method (the receiver does not accept it)',
    410: 'the receiver says this endpoint is gone (Standard Webhooks: stop sending); check url',
    413: 'the receiver rejects the body size; try format template with a smaller body',
    415: 'the receiver rejects the Content-Type; set it with headers or use format template',
};
// ── channel ──────────────────────────────────────────────────────────────────────────────────
/** `satisfies` keeps `send`'s single-result type for callers and tests. */
const webhook = {
    type: 'webhook',
    options: webhookOptions,
    secrets(options) {
        const secrets = [options.url, options.secret, options.password];
        if (options.username !== undefined) {
            secrets.push(Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64'));
        }
        const { basicAuth } = splitUrlCredentials(options.url);
        if (basicAuth)
            secrets.push(basicAuth.password, Buffer.from(`${basicAuth.user}:${basicAuth.password}`).toString('base64'));
        for (const [name, value] of options.headers)
            if (CREDENTIAL_HEADER.test(name))
                secrets.push(value);
        return secrets.filter((s) => !!s);
    },
    msgTypes: [],
    async send(ctx) {
        const { options, event } = ctx;
        const payload = webhookBody(options, event, (mode) => ctx.render(ctx.target.template, mode), ctx.now());
        return ctx.http.deliver(() => buildWebhookRequest(options, event, payload, ctx.now()), readWebhookAnswer, {
            label: deliveryLabel(ctx.target.channel, ctx.target.name),
            timeoutMs: ctx.target.timeout_ms,
            retries: ctx.target.retries,
        });
    },
};
/** "webhook" for an unnamed target, "webhook ops" for a named one. */
function deliveryLabel(channel, name) {
    return name === channel || name.startsWith(`${channel}#`) ? name : `${channel} ${name}`;
}
/**
 * undici does not turn `https://user:pass@host` into a Basic header (fetch refuses such URLs), but
 * users paste them: the credentials move into Authorization and out of the URL.
 */
function splitUrlCredentials(raw) {
    const url = new URL(raw);
    if (!url.username && !url.password)
        return { url: raw, basicAuth: null };
    const basicAuth = { user: webhook_safeDecode(url.username), password: webhook_safeDecode(url.password) };
    url.username = '';
    url.password = '';
    return { url: url.toString(), basicAuth };
}
function webhook_safeDecode(text) {
    try {
        return decodeURIComponent(text);
    }
    catch {
        return text;
    }
}
function isJson(text) {
    try {
        JSON.parse(text);
        return true;
    }
    catch {
        return false;
    }
}
/** Case-insensitive header names that keep the spelling of whoever set them last. */
class HeaderList {
    entries = new Map();
    set(name, value) {
        this.entries.set(name.toLowerCase(), [name, value]);
    }
    toRecord() {
        return Object.fromEntries(this.entries.values());
    }
}

;// CONCATENATED MODULE: ./src/channels/jenkins.ts
/**
 * `jenkins`: triggers jobs through the Generic Webhook Trigger plugin (API_FACTS §E, DESIGN §5.1):
 * POST of the event JSON with `build_args` merged in at the top level, the token as a bearer token,
 * `query` appended to the URL. Success is what the plugin says: a job was found AND triggered.
 */




// ── options ──────────────────────────────────────────────────────────────────────────────────
/** The plugin's endpoint (API_FACTS §E.1: `getUrlName()` + `doInvoke`). */
const INVOKE_PATH = 'generic-webhook-trigger/invoke';
const jenkinsOptions = object({
    /** The invoke URL, or the Jenkins root URL (the invoke path is added). */
    url: httpUrlInput.transform(invokeUrl),
    token: preprocess(blankAsMissing, schemas_string().optional()),
    build_args: preprocess(blankAsMissing, schemas_string().optional()).transform((text, ctx) => {
        if (text === undefined)
            return {};
        let parsed;
        try {
            parsed = JSON.parse(text);
        }
        catch {
            ctx.addIssue({
                code: 'custom',
                message: 'expected a JSON object, e.g. {"deploy_env": "staging"} (not valid JSON)',
            });
            return NEVER;
        }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
            ctx.addIssue({
                code: 'custom',
                message: `expected a JSON object, e.g. {"deploy_env": "staging"}, not ${describeJson(parsed)}`,
            });
            return NEVER;
        }
        return parsed;
    }),
    query: preprocess(blankAsMissing, schemas_string().optional())
        .transform((text) => (text ?? '').trim().replace(/^[?&]+/, '')),
})
    .superRefine((options, ctx) => {
    // Without a token the plugin only considers jobs the caller may see, i.e. it wants a logged-in
    // user (API_FACTS §E.1); the token in the query string is accepted as well.
    if (options.token === undefined && !new URL(options.url).searchParams.has('token')) {
        ctx.addIssue({
            code: 'custom',
            path: ['token'],
            message: 'required: the Generic Webhook Trigger token of the job (or ?token= in url)',
        });
    }
});
function invokeUrl(raw) {
    const url = new URL(raw);
    if (!url.pathname.includes('generic-webhook-trigger')) {
        url.pathname = `${url.pathname.replace(/\/+$/, '')}/${INVOKE_PATH}`;
    }
    return url.toString();
}
function describeJson(value) {
    if (value === null)
        return 'null';
    if (Array.isArray(value))
        return 'an array';
    return `a ${typeof value}`;
}
// ── request ──────────────────────────────────────────────────────────────────────────────────
/** Pure: the event with build_args on top, one serialisation for every attempt. */
function buildJenkinsRequest(options, event) {
    const url = new URL(options.url);
    for (const [name, value] of new URLSearchParams(options.query))
        url.searchParams.append(name, value);
    const headers = {
        'Content-Type': 'application/json',
        'User-Agent': USER_AGENT,
        // Header variables in the job can pick these up as x_ci_notify_event / x_ci_notify_delivery (§E.2).
        'X-CI-Notify-Event': 'pipeline',
        'X-CI-Notify-Delivery': event.id,
    };
    if (options.token !== undefined)
        headers.Authorization = `Bearer ${options.token}`;
    return { method: 'POST', url: url.toString(), headers, body: JSON.stringify({ ...event, ...options.build_args }) };
}
/**
 * API_FACTS §E.3: a wrong token is 404 (not 401); a regexp filter that did not match is still a
 * 200 with `triggered: false` — the user configured a filter that throws this notification away,
 * which is a misconfiguration they want to hear about, so it fails (not retried: it will not change).
 */
function readJenkinsAnswer(answer) {
    const message = jenkinsMessage(answer);
    if (answer.status === 404) {
        return {
            ok: false,
            retry: false,
            error: `HTTP 404: ${message ?? 'no job found'}`,
            hint: 'no job has a Generic Webhook Trigger with this token — check token (and that url points at /generic-webhook-trigger/invoke)',
        };
    }
    if (answer.status === 403) {
        return {
            ok: false,
            retry: false,
            error: `HTTP 403: ${message ?? 'forbidden'}`,
            hint: "Jenkins' Generic Webhook Trigger whitelist refused this runner — add its host/IP (or HMAC) in Manage Jenkins → System → Generic Webhook Trigger",
        };
    }
    if (answer.status < 200 || answer.status >= 300) {
        return {
            ok: false,
            retry: isTransientStatus(answer.status),
            error: message ? `HTTP ${answer.status}: ${message}` : httpErrorLine(answer),
        };
    }
    const jobs = jobResults(answer.json);
    // silentResponse=true on every matched job answers a bare 200: the plugin found the jobs.
    if (jobs.length === 0)
        return { ok: true };
    const triggered = jobs.filter(([, result]) => result.triggered === true);
    const skipped = jobs.filter(([, result]) => result.triggered !== true);
    if (triggered.length === 0) {
        const first = skipped[0]?.[1];
        const filter = first?.regexpFilterExpression !== undefined
            ? ` (filter text "${first.regexpFilterText ?? ''}" does not match ${first.regexpFilterExpression})`
            : '';
        return {
            ok: false,
            retry: false,
            error: `Jenkins found ${names(skipped)} but triggered none${filter}`,
            hint: "the job's Generic Webhook Trigger optional filter (regexpFilterText / regexpFilterExpression) rejected this event",
        };
    }
    const note = `triggered ${triggered.map(([name, result]) => (result.id !== undefined ? `${name} (queue item ${result.id})` : name)).join(', ')}`;
    return { ok: true, note: skipped.length > 0 ? `${note}; not triggered by their filter: ${names(skipped)}` : note };
}
function jenkinsMessage(answer) {
    const message = answer.json?.message;
    return typeof message === 'string' && message.trim() ? message.trim().replace(/\s*\n\s*/g, ' ') : null;
}
function jobResults(json) {
    const jobs = json?.jobs;
    if (!jobs || typeof jobs !== 'object')
        return [];
    return Object.entries(jobs).map(([name, value]) => [
        name,
        value && typeof value === 'object' ? value : {},
    ]);
}
function names(jobs) {
    return jobs.map(([name]) => name).join(', ');
}
// ── channel ──────────────────────────────────────────────────────────────────────────────────
/** `satisfies` keeps `send`'s single-result type for callers and tests. */
const jenkins = {
    type: 'jenkins',
    options: jenkinsOptions,
    secrets: (options) => [options.url, options.token].filter((s) => !!s),
    msgTypes: [],
    async send(ctx) {
        const request = buildJenkinsRequest(ctx.options, ctx.event);
        return ctx.http.deliver(request, readJenkinsAnswer, {
            label: deliveryLabel(ctx.target.channel, ctx.target.name),
            timeoutMs: ctx.target.timeout_ms,
            retries: ctx.target.retries,
        });
    },
};

;// CONCATENATED MODULE: ./src/channels/index.ts







/** One line per channel. */
const CHANNELS = {
    dingtalk: dingtalk,
    wecom: wecom,
    lark: lark,
    email: email_email,
    lark_app: larkApp,
    webhook: webhook,
    jenkins: jenkins,
};

;// CONCATENATED MODULE: ./src/event/params.ts
function parseParams(text) {
    // Entries, not assignments: a key named `__proto__` must stay a plain key.
    const entries = [];
    const errors = [];
    const lines = (text ?? '').split(/\r\n|\r|\n/);
    lines.forEach((line, index) => {
        const trimmed = line.trim();
        if (trimmed === '' || trimmed.startsWith('#'))
            return;
        const eq = trimmed.indexOf('=');
        const key = eq > 0 ? trimmed.slice(0, eq).trim() : '';
        if (key === '') {
            errors.push(`params: line ${index + 1} is not key=value`);
            return;
        }
        entries.push([key, trimmed.slice(eq + 1).trim()]);
    });
    return { params: Object.fromEntries(entries), errors };
}

;// CONCATENATED MODULE: ./src/event/status.ts
/**
 * Spellings of GitHub, GitLab, Alibaba Cloud Flow, Jenkins and plain words (DESIGN §3.1), after
 * lower-casing and turning spaces/dashes into `_`. Where a word is ambiguous, the choice is what a
 * person reading the notification would call it:
 * - Jenkins UNSTABLE (tests failed, build ran) is a failure; NOT_BUILT is skipped.
 * - Flow FINISH is a finished run without a failure: success. CANCELLING is already cancelled for us.
 * - GitLab `manual` (waiting for someone to press play, usually never) is skipped; `created`,
 *   `scheduled`, `preparing` and `waiting_for_resource` have not started yet: pending.
 * - GitHub check conclusions seen through the API: `timed_out`/`startup_failure` are failures,
 *   `action_required` waits for a person (pending), `neutral` neither passed nor failed (skipped).
 */
// prettier-ignore
const SPELLINGS = {
    success: 'success', succeeded: 'success', succeed: 'success', successful: 'success', success_with_warnings: 'success',
    passed: 'success', pass: 'success', ok: 'success', finish: 'success', finished: 'success', fixed: 'success', green: 'success',
    failure: 'failure', failed: 'failure', fail: 'failure', error: 'failure', errored: 'failure', timeout: 'failure',
    timed_out: 'failure', startup_failure: 'failure', unstable: 'failure', broken: 'failure', red: 'failure',
    cancelled: 'cancelled', canceled: 'cancelled', cancel: 'cancelled', cancelling: 'cancelled', canceling: 'cancelled',
    aborted: 'cancelled', abort: 'cancelled',
    skipped: 'skipped', skip: 'skipped', not_built: 'skipped', manual: 'skipped', neutral: 'skipped',
    running: 'running', in_progress: 'running', started: 'running',
    pending: 'pending', queued: 'pending', waiting: 'pending', created: 'pending', scheduled: 'pending', preparing: 'pending',
    waiting_for_resource: 'pending', requested: 'pending', action_required: 'pending',
    unknown: 'unknown',
};
function normalizeStatus(input) {
    const raw = (input ?? '').trim();
    if (raw === '')
        return { status: 'unknown', warning: 'status: no status given; reporting "unknown"' };
    const key = raw.toLowerCase().replace(/[\s-]+/g, '_');
    const status = Object.hasOwn(SPELLINGS, key) ? SPELLINGS[key] : undefined;
    if (status)
        return { status, warning: null };
    return {
        status: 'unknown',
        warning: `status: "${raw.slice(0, 40)}" is not a status we know; reporting "unknown" (expected success, failure, cancelled, skipped, running or pending)`,
    };
}

;// CONCATENATED MODULE: ./src/event/types.ts
/** The `ci-notify.event/v1` object (DESIGN §3). A field a mapper cannot fill is `null`, never invented. */
const EVENT_SCHEMA_ID = 'ci-notify.event/v1';
const STATUSES = ['success', 'failure', 'cancelled', 'skipped', 'running', 'pending', 'unknown'];
const TRANSITIONS = (/* unused pure expression or super */ null && (['fixed', 'regressed', 'still_failing', 'unchanged']));

;// CONCATENATED MODULE: ./src/event/transition.ts

/**
 * Transitions between the previous run and this one, and the `notify_on` / `mention_on` words
 * (DESIGN §3.1). Only success and failure say something about the code, so only they make
 * fixed / regressed / still_failing; the same non-decisive outcome twice (cancelled → cancelled)
 * is "unchanged"; anything else, or an unknown previous run, is no transition (null).
 */
function transitionOf(status, previous) {
    if (!previous || previous === 'unknown' || status === 'unknown')
        return null;
    if (status === 'success' && previous === 'failure')
        return 'fixed';
    if (status === 'failure' && previous === 'success')
        return 'regressed';
    if (status === 'failure' && previous === 'failure')
        return 'still_failing';
    if (status === previous)
        return 'unchanged';
    return null;
}
const TRANSITION_WORDS = ['changed', 'fixed', 'regressed', 'still_failing'];
const TRIGGER_WORDS = ['always', ...STATUSES, ...TRANSITION_WORDS];
function isTriggerWord(word) {
    return TRIGGER_WORDS.includes(word);
}
/**
 * Whether an event passes a `notify_on` / `mention_on` list: any word matching is enough.
 * An empty list means the default, `always`.
 *
 * A transition word (`changed`, `fixed`, `regressed`, `still_failing`) needs the previous run's
 * status. When that is unknown (first run on the branch, no `github_token`, API unreachable) the
 * transition is null and the word does not match: we cannot claim a build was fixed or broke
 * without knowing the run before. Users who must never miss a failure write
 * `notify_on: failure, fixed` rather than `regressed, still_failing`. `needsHistory` lets the
 * caller say so in a warning.
 */
function matchesTrigger(words, event) {
    if (words.length === 0)
        return true;
    return words.some((word) => matchesWord(word, event));
}
function matchesWord(word, event) {
    switch (word) {
        case 'always':
            return true;
        case 'changed':
            return event.transition === 'fixed' || event.transition === 'regressed';
        case 'fixed':
        case 'regressed':
        case 'still_failing':
            return event.transition === word;
        default:
            return event.status === word;
    }
}
/** True when the list can only be decided with the previous run's status. */
function needsHistory(words) {
    return words.some((word) => TRANSITION_WORDS.includes(word));
}

;// CONCATENATED MODULE: ./src/render/locale.ts
const LOCALES = (/* unused pure expression or super */ null && (['en', 'zh']));
/** The status as a word that stands alone ("Failed" in a fact, a badge, `${status_text}`). */
const STATUS_WORDS = {
    en: {
        success: 'Succeeded',
        failure: 'Failed',
        cancelled: 'Cancelled',
        skipped: 'Skipped',
        running: 'Running',
        pending: 'Waiting',
        unknown: 'Unknown',
    },
    zh: {
        success: '成功',
        failure: '失败',
        cancelled: '已取消',
        skipped: '已跳过',
        running: '运行中',
        pending: '等待中',
        unknown: '未知',
    },
};
/** The status as the end of a sentence about the run: "CI #128 failed", "CI #128 状态未知". */
const STATUS_PHRASES = {
    en: {
        success: 'succeeded',
        failure: 'failed',
        cancelled: 'cancelled',
        skipped: 'skipped',
        running: 'running',
        pending: 'waiting',
        unknown: 'status unknown',
    },
    zh: {
        success: '成功',
        failure: '失败',
        cancelled: '已取消',
        skipped: '已跳过',
        running: '运行中',
        pending: '等待中',
        unknown: '状态未知',
    },
};
const STATUS_SIGNS = {
    success: '✅',
    failure: '❌',
    cancelled: '⏹️',
    skipped: '⏭️',
    running: '🔄',
    pending: '⏳',
    unknown: '❔',
};
const STATUS_COLOURS = {
    success: { lark: 'green', wecom: 'info', hex: '#1a7f37' },
    failure: { lark: 'red', wecom: 'warning', hex: '#cf222e' },
    cancelled: { lark: 'grey', wecom: 'comment', hex: '#6e7781' },
    skipped: { lark: 'grey', wecom: 'comment', hex: '#6e7781' },
    running: { lark: 'blue', wecom: 'comment', hex: '#0969da' },
    pending: { lark: 'yellow', wecom: 'comment', hex: '#9a6700' },
    unknown: { lark: 'grey', wecom: 'comment', hex: '#6e7781' },
};
function statusWord(status, locale) {
    return STATUS_WORDS[locale][status];
}
function statusPhrase(status, locale) {
    return STATUS_PHRASES[locale][status];
}
function statusSign(status) {
    return STATUS_SIGNS[status];
}
function statusColour(status) {
    return { ...STATUS_COLOURS[status] };
}
const LABELS = {
    en: {
        repository: 'Repository',
        pipeline: 'Pipeline',
        branch: 'Branch',
        tag: 'Tag',
        pull_request: 'Pull request',
        merge_request: 'Merge request',
        ref: 'Ref',
        commit: 'Commit',
        author: 'Author',
        trigger: 'Triggered by',
        duration: 'Duration',
        failed_jobs: 'Failed jobs',
        jobs: 'Jobs',
        params: 'Params',
        view_run: 'View run',
        pipeline_fallback: 'Pipeline',
        attempt: (n) => ` (attempt ${n})`,
        and_more: (n) => `and ${n} more`,
    },
    zh: {
        repository: '仓库',
        pipeline: '流水线',
        branch: '分支',
        tag: '标签',
        pull_request: '拉取请求',
        merge_request: '合并请求',
        ref: '引用',
        commit: '提交',
        author: '作者',
        trigger: '触发',
        duration: '耗时',
        failed_jobs: '失败任务',
        jobs: '任务',
        params: '参数',
        view_run: '查看详情',
        pipeline_fallback: '流水线',
        attempt: (n) => `（第 ${n} 次运行）`,
        and_more: (n) => `及另外 ${n} 个`,
    },
};
function labels(locale) {
    return LABELS[locale];
}
/**
 * What started the run, in words. Keys are the raw values the CIs use: GitHub `event_name`
 * (push, pull_request, schedule, workflow_dispatch, …) and GitLab `CI_PIPELINE_SOURCE` (push, web,
 * schedule, api, merge_request_event, trigger, pipeline, parent_pipeline, …). English keeps the
 * CI's own short words where people already know them ("push"); an unknown value is shown as it
 * came, with underscores read as spaces.
 */
const locale_TRIGGER_WORDS = {
    en: {
        push: 'push',
        pull_request: 'pull request',
        pull_request_target: 'pull request',
        merge_request_event: 'merge request',
        external_pull_request_event: 'pull request',
        merge_group: 'merge queue',
        schedule: 'schedule',
        workflow_dispatch: 'manual run',
        web: 'manual run',
        manual: 'manual run',
        api: 'API',
        trigger: 'trigger token',
        repository_dispatch: 'API',
        pipeline: 'upstream pipeline',
        parent_pipeline: 'parent pipeline',
        workflow_run: 'upstream workflow',
        workflow_call: 'calling workflow',
        release: 'release',
        tag: 'tag',
        chat: 'ChatOps',
        webide: 'Web IDE',
    },
    zh: {
        push: '推送',
        pull_request: '拉取请求',
        pull_request_target: '拉取请求',
        merge_request_event: '合并请求',
        external_pull_request_event: '拉取请求',
        merge_group: '合并队列',
        schedule: '定时',
        workflow_dispatch: '手动运行',
        web: '手动运行',
        manual: '手动运行',
        api: 'API',
        trigger: '触发令牌',
        repository_dispatch: 'API',
        pipeline: '上游流水线',
        parent_pipeline: '父流水线',
        workflow_run: '上游工作流',
        workflow_call: '调用方工作流',
        release: '发布',
        tag: '标签',
        chat: 'ChatOps',
        webide: 'Web IDE',
    },
};
function triggerWord(trigger, locale) {
    const known = locale_TRIGGER_WORDS[locale][trigger.trim().toLowerCase()];
    return known ?? trigger.replace(/_/g, ' ');
}
/**
 * A run's length the way people say it: en "850 ms", "45s", "1m 33s", "2m", "2h 5m";
 * zh "850 毫秒", "45 秒", "1 分 33 秒", "2 小时 5 分". Seconds are rounded; above an hour they are
 * dropped (nobody cares about the seconds of a two-hour run). Negative or non-finite → null.
 */
function formatDuration(ms, locale) {
    if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0)
        return null;
    const zh = locale === 'zh';
    if (ms < 1000)
        return zh ? `${Math.round(ms)} 毫秒` : `${Math.round(ms)} ms`;
    const totalSeconds = Math.round(ms / 1000);
    const hours = Math.floor(totalSeconds / 3600);
    const minutes = Math.floor((totalSeconds % 3600) / 60);
    const seconds = totalSeconds % 60;
    const parts = [];
    if (hours > 0) {
        parts.push(zh ? `${hours} 小时` : `${hours}h`);
        if (minutes > 0)
            parts.push(zh ? `${minutes} 分` : `${minutes}m`);
    }
    else if (minutes > 0) {
        parts.push(zh ? `${minutes} 分` : `${minutes}m`);
        if (seconds > 0)
            parts.push(zh ? `${seconds} 秒` : `${seconds}s`);
    }
    else {
        parts.push(zh ? `${seconds} 秒` : `${seconds}s`);
    }
    return parts.join(' ');
}
/** Lists in running text: "test, lint" / "test、lint". */
function listSeparator(locale) {
    return locale === 'zh' ? '、' : ', ';
}

;// CONCATENATED MODULE: ./src/render/template.ts

/** Names computed from the event rather than read from it. */
const COMPUTED_PLACEHOLDERS = (/* unused pure expression or super */ null && (['status_text', 'status_emoji', 'duration', 'failed_jobs']));
const PLACEHOLDER_SYNTAX = /^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*)\s*(?::-([\s\S]*))?$/;
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
function renderTemplate(template, ctx, mode, warn, options = {}) {
    const warned = new Set();
    const warnOnceFor = (key, msg) => {
        if (warned.has(key))
            return;
        warned.add(key);
        warn(msg);
    };
    const escapeValue = mode === 'text' && options.escapeValue ? options.escapeValue : (s) => s;
    let out = '';
    // JSON lexical state of the template text seen so far (json mode only). Inserted values never
    // change it: they are escaped, so they cannot open or close a string.
    let inString = false;
    let escaped = false;
    const literal = (text) => {
        out += text;
        if (mode !== 'json')
            return;
        for (const ch of text) {
            if (escaped)
                escaped = false;
            else if (inString && ch === '\\')
                escaped = true;
            else if (ch === '"')
                inString = !inString;
        }
    };
    let i = 0;
    while (i < template.length) {
        const dollar = template.indexOf('$', i);
        if (dollar === -1) {
            literal(template.slice(i));
            break;
        }
        literal(template.slice(i, dollar));
        if (template.startsWith('$${', dollar)) {
            // `$${` is the escape for a literal `${` (as in GitLab CI and Docker Compose).
            literal('${');
            i = dollar + 3;
            continue;
        }
        if (!template.startsWith('${', dollar)) {
            literal('$');
            i = dollar + 1;
            continue;
        }
        const close = template.indexOf('}', dollar + 2);
        const inner = close === -1 ? null : template.slice(dollar + 2, close);
        const parsed = inner === null || inner.includes('{') ? null : PLACEHOLDER_SYNTAX.exec(inner);
        if (!parsed) {
            const shown = inner === null ? template.slice(dollar, dollar + 20) : `\${${inner}}`;
            warnOnceFor(`syntax:${shown}`, `template: "${oneLineShort(shown)}" is not a placeholder and is kept as written (expected \${path} or \${path:-fallback}; write $\${ for a literal "\${")`);
            literal('$');
            i = dollar + 1;
            continue;
        }
        const name = parsed[1];
        const fallback = parsed[2];
        const resolved = resolve(name, ctx);
        const useFallback = fallback !== undefined && (!resolved.found || isEmpty(resolved.value));
        if (useFallback) {
            out += mode === 'text' ? fallback : inString ? jsonStringContent(fallback) : jsonFallbackLiteral(fallback);
        }
        else if (!resolved.found) {
            warnOnceFor(`name:${name}`, `template: \${${name}} ${resolved.why}; it renders empty (write \${${name}:-fallback} to give a default)`);
            out += mode === 'json' && !inString ? 'null' : '';
        }
        else if (mode === 'text') {
            out += escapeValue(textOf(resolved.value, ctx.locale));
        }
        else if (inString) {
            out += jsonStringContent(textOf(resolved.value, ctx.locale));
        }
        else {
            out += jsonLiteral(resolved.value);
        }
        i = close + 1;
    }
    return out;
}
/**
 * Wraps `warn` so the same message is reported once however many renders repeat it (the title,
 * the body and a channel's own render of one target all read the same placeholders).
 */
function warnOnce(warn) {
    const seen = new Set();
    return (msg) => {
        if (seen.has(msg))
            return;
        seen.add(msg);
        warn(msg);
    };
}
function resolve(name, ctx) {
    const { event, env, locale } = ctx;
    switch (name) {
        case 'status_text':
            return { found: true, value: statusWord(event.status, locale) };
        case 'status_emoji':
            return { found: true, value: statusSign(event.status) };
        case 'duration':
            return { found: true, value: formatDuration(durationMs(event), locale) };
        case 'failed_jobs':
            return {
                found: true,
                value: event.jobs
                    .filter((j) => j.status === 'failure')
                    .map((j) => j.name)
                    .join(listSeparator(locale)),
            };
    }
    if (name.startsWith('env.'))
        return fromEnv(name.slice(4), env);
    if (ENV_NAME.test(name))
        return fromEnv(name, env);
    let current = event;
    for (const segment of name.split('.')) {
        // A known object that is null (no `job`, no `change_request`): the value is simply absent.
        if (current === null)
            return { found: true, value: null };
        if (Array.isArray(current)) {
            const index = /^\d+$/.test(segment) ? Number(segment) : -1;
            if (index < 0 || index >= current.length)
                return { found: false, why: 'is not in the list' };
            current = current[index];
        }
        else if (typeof current === 'object' && Object.hasOwn(current, segment)) {
            current = current[segment];
        }
        else {
            return { found: false, why: 'is not a field of the event (see README "Templates")' };
        }
    }
    return { found: true, value: current };
}
function fromEnv(variable, env) {
    const value = Object.hasOwn(env, variable) ? env[variable] : undefined;
    return value === undefined ? { found: false, why: `is not set (no environment variable ${variable})` } : { found: true, value };
}
/** pipeline.duration_ms, else the span between started_at and finished_at when both are known. */
function durationMs(event) {
    const p = event.pipeline;
    if (p.duration_ms !== null && Number.isFinite(p.duration_ms))
        return p.duration_ms;
    if (p.started_at && p.finished_at) {
        const span = Date.parse(p.finished_at) - Date.parse(p.started_at);
        if (Number.isFinite(span) && span >= 0)
            return span;
    }
    return null;
}
function isEmpty(value) {
    if (value === null || value === undefined || value === '')
        return true;
    if (Array.isArray(value))
        return value.length === 0;
    if (typeof value === 'object')
        return Object.keys(value).length === 0;
    return false;
}
/** The readable form of a value in text (and inside JSON strings). */
function textOf(value, locale) {
    if (value === null || value === undefined)
        return '';
    if (typeof value === 'string')
        return value;
    if (typeof value === 'number' || typeof value === 'boolean')
        return String(value);
    if (Array.isArray(value)) {
        return value
            .filter((item) => item !== null && item !== undefined)
            .map((item) => {
            if (typeof item !== 'object')
                return String(item);
            const named = item.name;
            return typeof named === 'string' ? named : JSON.stringify(item);
        })
            .join(listSeparator(locale));
    }
    return Object.entries(value)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
        .join(', ');
}
const HTML_SENSITIVE = /[<>&\u2028\u2029]/g;
const unicodeEscape = (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
/** The inside of a JSON string literal holding `text`. */
function jsonStringContent(text) {
    return JSON.stringify(text).slice(1, -1).replace(HTML_SENSITIVE, unicodeEscape);
}
function jsonLiteral(value) {
    if (value === undefined)
        return 'null';
    return (JSON.stringify(value) ?? 'null').replace(HTML_SENSITIVE, unicodeEscape);
}
function jsonFallbackLiteral(fallback) {
    try {
        JSON.parse(fallback);
        return fallback.trim();
    }
    catch {
        return jsonLiteral(fallback);
    }
}
function oneLineShort(text) {
    const line = text.replace(/\s+/g, ' ');
    return line.length > 40 ? `${line.slice(0, 40)}…` : line;
}

;// CONCATENATED MODULE: ./src/render/message.ts



/** At most this many failed job names are listed; the rest are counted ("and 3 more"). */
const MAX_LISTED_JOBS = 10;
function buildMessage(event, options) {
    const { locale } = options;
    const warn = warnOnce((msg) => options.warn(msg));
    const ctx = { event, env: options.env, locale };
    const shown = (field) => options.fields === null || options.fields.includes(field);
    const repository = nonEmpty(event.repository.full_name) ?? nonEmpty(event.repository.name);
    const headline = headlineOf(event, locale);
    const sign = statusSign(event.status);
    const defaultTitle = `${sign} ${repository ? `${oneLine(repository)} · ` : ''}${headline}`;
    // A title is one line on every platform; a template that renders to nothing keeps the default.
    const userTitle = options.title.trim() === '' ? '' : oneLine(renderTemplate(options.title, ctx, 'text', warn));
    const body = options.template.trim() === '' ? null : renderTemplate(options.template, ctx, 'text', warn);
    const runUrl = safeUrl(event.pipeline.url) ?? safeUrl(event.job?.url);
    return {
        locale,
        status: event.status,
        status_text: statusWord(event.status, locale),
        status_emoji: sign,
        colour: statusColour(event.status),
        title: userTitle === '' ? defaultTitle : userTitle,
        headline,
        repository: repository === null ? null : oneLine(repository),
        body,
        facts: buildFacts(event, locale).filter((fact) => shown(fact.field)),
        link: runUrl !== null && shown('link') ? { label: labels(locale).view_run, url: runUrl } : null,
        event,
    };
}
/** "CI #128 failed" / "CI #128 失败"; "Pipeline #128 failed" without a name; "CI failed" without a number. */
function headlineOf(event, locale) {
    const name = nonEmpty(event.pipeline.name);
    const number = event.pipeline.number;
    const run = [name === null ? labels(locale).pipeline_fallback : oneLine(name), number === null ? null : `#${number}`]
        .filter((part) => part !== null)
        .join(' ');
    return joinWords(run, statusPhrase(event.status, locale));
}
/** Every fact the event has, in the MESSAGES.md order. */
function buildFacts(event, locale) {
    const l = labels(locale);
    const facts = [];
    const add = (fact) => facts.push({ ...fact, value: oneLine(fact.value) });
    const repo = nonEmpty(event.repository.full_name) ?? nonEmpty(event.repository.name);
    if (repo !== null)
        add({ field: 'repository', label: l.repository, value: repo, url: safeUrl(event.repository.url) });
    const pipelineName = nonEmpty(event.pipeline.name);
    if (pipelineName !== null || event.pipeline.number !== null) {
        let value = [pipelineName ?? l.pipeline_fallback, event.pipeline.number === null ? null : `#${event.pipeline.number}`]
            .filter((part) => part !== null)
            .join(' ');
        if (event.pipeline.attempt !== null && event.pipeline.attempt > 1)
            value += l.attempt(event.pipeline.attempt);
        add({ field: 'pipeline', label: l.pipeline, value, url: safeUrl(event.pipeline.url) });
    }
    const ref = refFact(event, locale);
    if (ref)
        add(ref);
    const sha = nonEmpty(event.commit.short_sha) ?? (nonEmpty(event.commit.sha)?.slice(0, 7) ?? null);
    const commitTitle = nonEmpty(event.commit.title) ?? message_firstLine(event.commit.message);
    if (sha !== null || commitTitle !== null) {
        add({
            field: 'commit',
            label: l.commit,
            value: commitTitle ?? '',
            url: safeUrl(event.commit.url),
            link_text: sha,
        });
    }
    const author = personName(event.commit.author) ?? personName(event.actor);
    if (author !== null)
        add({ field: 'author', label: l.author, value: author });
    // The trigger, and who started the run when that is not the commit's author (a re-run, a
    // manual or scheduled run by someone else): "push", "manual run · hubot".
    const trigger = nonEmpty(event.pipeline.trigger);
    const actor = event.commit.author !== null && !samePerson(event.commit.author, event.actor) ? personName(event.actor) : null;
    const triggerParts = [trigger === null ? null : triggerWord(trigger, locale), actor].filter((p) => p !== null);
    if (triggerParts.length > 0)
        add({ field: 'trigger', label: l.trigger, value: triggerParts.join(' · ') });
    const duration = formatDuration(durationMs(event), locale);
    if (duration !== null)
        add({ field: 'duration', label: l.duration, value: duration });
    const failed = event.jobs.filter((job) => job.status === 'failure').map((job) => oneLine(job.name)).filter((n) => n !== '');
    if (failed.length > 0) {
        const listed = failed.slice(0, MAX_LISTED_JOBS).join(listSeparator(locale));
        const rest = failed.length - MAX_LISTED_JOBS;
        add({ field: 'jobs', label: l.failed_jobs, value: rest > 0 ? `${listed} ${l.and_more(rest)}` : listed });
    }
    const params = Object.entries(event.params).map(([k, v]) => `${k}=${v}`);
    if (params.length > 0)
        add({ field: 'params', label: l.params, value: params.join(', ') });
    return facts;
}
/**
 * The ref under its own label (Branch / Tag / Pull request / Merge request). A pull or merge
 * request shows its number and title, linked to it: "#12 Fix payment path" ("!12" on GitLab).
 */
function refFact(event, locale) {
    const l = labels(locale);
    const type = event.ref.type;
    const label = type === null ? l.ref : l[type];
    const cr = event.change_request;
    if ((type === 'pull_request' || type === 'merge_request') && cr !== null && cr.number !== null) {
        const prefix = type === 'merge_request' ? '!' : '#';
        const title = nonEmpty(cr.title);
        return {
            field: 'ref',
            label,
            value: title === null ? `${prefix}${cr.number}` : `${prefix}${cr.number} ${title}`,
            url: safeUrl(cr.url) ?? safeUrl(event.ref.url),
        };
    }
    const name = nonEmpty(event.ref.name);
    if (name === null)
        return null;
    return { field: 'ref', label, value: name, url: safeUrl(event.ref.url) };
}
function personName(person) {
    if (person === null)
        return null;
    return nonEmpty(person.name) ?? nonEmpty(person.login);
}
/** Same person when any identity both sides know matches; different when nothing matches. */
function samePerson(a, b) {
    if (b === null)
        return true;
    const keys = ['login', 'email', 'name'];
    return keys.some((k) => {
        const x = nonEmpty(a[k]);
        const y = nonEmpty(b[k]);
        return x !== null && y !== null && x.toLowerCase() === y.toLowerCase();
    });
}
function nonEmpty(value) {
    if (value === null || value === undefined)
        return null;
    return oneLine(value) === '' ? null : value;
}
function message_firstLine(message) {
    if (message === null)
        return null;
    const line = message.split(/\r?\n/).find((l) => l.trim() !== '');
    return line === undefined ? null : line;
}
const CJK = /[\u3000-\u9fff\uff00-\uffef]/;
/** Joins two phrases with a space, except between two CJK characters ("流水线失败", "CI #128 失败"). */
function joinWords(left, right) {
    if (left === '')
        return right;
    if (right === '')
        return left;
    const last = left.at(-1) ?? '';
    const first = right.at(0) ?? '';
    return CJK.test(last) && CJK.test(first) ? `${left}${right}` : `${left} ${right}`;
}

;// CONCATENATED MODULE: ./src/channels/types.ts
const CHANNEL_TYPES = ['dingtalk', 'wecom', 'lark', 'lark_app', 'email', 'webhook', 'jenkins'];

;// CONCATENATED MODULE: ./src/inputs.ts
/**
 * Every public input (DESIGN §5): action inputs, GitLab component inputs, NOTIFY_<NAME> variables,
 * CLI flags and keys of each `channels` entry. action.yml must declare exactly these (a test checks).
 */
const INPUTS = [
    { name: "channel", description: "Target type for one target: dingtalk, wecom, lark, lark_app, email, webhook or jenkins. Use `channels` for several targets.", default: "", secret: false },
    { name: "channels", description: "YAML or JSON list of targets, each {type, name?, ...any per-target input}. String values may be `env:NAME`.", default: "", secret: false },
    { name: "status", description: "Outcome to report: success, failure, cancelled, skipped, ... (GitHub, GitLab, Jenkins and Flow spellings are accepted).", default: "", secret: false },
    { name: "notify_on", description: "When to notify: always, success, failure, cancelled, skipped, changed, fixed, regressed, still_failing (comma/space/newline separated).", default: "always", secret: false },
    { name: "mention_on", description: "When to add the @-mentions (same words as notify_on).", default: "always", secret: false },
    { name: "title", description: "Title template, e.g. \"${status_emoji} ${repository.full_name} ${status_text}\". Default: the platform-native title.", default: "", secret: false },
    { name: "template", description: "Body template. For msg_type customize and the webhook format template it is the raw request body (values JSON-escaped).", default: "", secret: false },
    { name: "msg_type", description: "Message type of the platform (dingtalk: actionCard, markdown, text, link, feedCard, customize; wecom: markdown, text, markdown_v2, template_card, news, customize; lark: interactive, text, post, customize).", default: "", secret: false },
    { name: "fields", description: "Facts to show: repository, pipeline, ref, commit, author, duration, trigger, jobs, params, link. Default: all the event has.", default: "", secret: false },
    { name: "locale", description: "Language of the default message: en or zh.", default: "en", secret: false },
    { name: "params", description: "Extra key=value lines, shown in the message and sent in the event as params.", default: "", secret: false },
    { name: "url", description: "Webhook URL (treated as a secret). For dingtalk, wecom and lark the bare access token / key / hook id works too.", default: "", secret: true },
    { name: "secret", description: "Signing secret: DingTalk SEC..., Lark signature secret, or the webhook HMAC key.", default: "", secret: true },
    { name: "keyword", description: "DingTalk/Lark custom keyword; guaranteed to appear in the message.", default: "", secret: false },
    { name: "at_mobiles", description: "Mobile numbers to @-mention (dingtalk, wecom), separated by comma, semicolon or whitespace.", default: "", secret: false },
    { name: "at_user_ids", description: "User ids to @-mention (dingtalk userId, wecom userid, lark open_id/user_id).", default: "", secret: false },
    { name: "at_all", description: "Mention everyone (true/false).", default: "false", secret: false },
    { name: "method", description: "webhook: POST, PUT or GET.", default: "POST", secret: false },
    { name: "headers", description: "webhook: extra request headers, one \"Name: value\" per line.", default: "", secret: false },
    { name: "username", description: "webhook: basic-auth user name.", default: "", secret: false },
    { name: "password", description: "webhook: basic-auth password.", default: "", secret: true },
    { name: "format", description: "webhook body: json (the event), cdevents (CDEvents 0.5.1 pipelinerun event, CloudEvents binary mode) or template.", default: "json", secret: false },
    { name: "signature", description: "webhook signature when secret is set: sha256 (X-Hub-Signature-256), sha1 (X-Hub-Signature) or standard (Standard Webhooks).", default: "sha256", secret: false },
    { name: "token", description: "jenkins: the Generic Webhook Trigger token (sent as a bearer token).", default: "", secret: true },
    { name: "build_args", description: "jenkins: JSON object merged into the request body at the top level.", default: "", secret: false },
    { name: "query", description: "jenkins: extra query string appended to the URL (e.g. \"cause=ci-notify\").", default: "", secret: false },
    { name: "smtp_url", description: "email: smtp://user:pass@host:587 or smtps://user:pass@host:465 (a secret). Or use smtp_host and friends.", default: "", secret: true },
    { name: "smtp_host", description: "email: SMTP server host.", default: "", secret: false },
    { name: "smtp_port", description: "email: SMTP port (default 587, or 465 with smtp_secure).", default: "", secret: false },
    { name: "smtp_secure", description: "email: implicit TLS (true/false; default true for port 465). STARTTLS is used whenever the server offers it.", default: "", secret: false },
    { name: "smtp_username", description: "email: SMTP user name.", default: "", secret: false },
    { name: "smtp_password", description: "email: SMTP password.", default: "", secret: true },
    { name: "from", description: "email: sender address, e.g. \"CI <ci@example.com>\".", default: "", secret: false },
    { name: "to", description: "email: recipients (comma, semicolon or newline separated).", default: "", secret: false },
    { name: "cc", description: "email: cc recipients.", default: "", secret: false },
    { name: "bcc", description: "email: bcc recipients.", default: "", secret: false },
    { name: "app_id", description: "lark_app: the self-built app id (cli_...).", default: "", secret: false },
    { name: "app_secret", description: "lark_app: the app secret.", default: "", secret: true },
    { name: "receive_id_type", description: "lark_app: open_id, user_id, union_id, email or chat_id.", default: "email", secret: false },
    { name: "receive_ids", description: "lark_app: receivers (comma, semicolon or newline separated); each is its own delivery.", default: "", secret: false },
    { name: "domain", description: "lark_app: feishu, lark or a base URL.", default: "feishu", secret: false },
    { name: "dry_run", description: "Render and print (redacted) what would be sent; send nothing.", default: "false", secret: false },
    { name: "fail_on_error", description: "Fail the step when any target could not be delivered (after every target was tried).", default: "true", secret: false },
    { name: "timeout", description: "Per-request timeout in seconds.", default: "10", secret: false },
    { name: "retries", description: "Retries on transient failures (network errors, 408, 429, 5xx, platform rate limits).", default: "3", secret: false },
    { name: "github_token", description: "Token for the GitHub API (jobs of the run, previous status for notify_on changed/fixed).", default: "", secret: true },
    { name: "needs", description: "Pass ${{ toJSON(needs) }} for a workflow-level report of the jobs this one needs.", default: "", secret: false },
];
const INPUT_NAMES = new Set(INPUTS.map((i) => i.name));
const SECRET_INPUTS = new Set(INPUTS.filter((i) => i.secret).map((i) => i.name));

;// CONCATENATED MODULE: ./src/render/types.ts
/** What `fields` can name (DESIGN §4). */
const FIELD_NAMES = [
    'repository',
    'pipeline',
    'ref',
    'commit',
    'author',
    'duration',
    'trigger',
    'jobs',
    'params',
    'link',
];

;// CONCATENATED MODULE: ./src/settings.ts



const settings_TRIGGER_WORDS = [
    'always',
    'success',
    'failure',
    'cancelled',
    'skipped',
    'running',
    'pending',
    'unknown',
    'changed',
    'fixed',
    'regressed',
    'still_failing',
];
/** Inputs that a `channels` entry inherits from the top level when it does not set them itself. */
const INHERITED = [
    'notify_on',
    'mention_on',
    'title',
    'template',
    'fields',
    'locale',
    'timeout',
    'retries',
    'keyword',
    'at_mobiles',
    'at_user_ids',
    'at_all',
];
/** Inputs that belong to the run, not to a target; a `channels` entry may not set them. */
const RUN_INPUTS = new Set(['channel', 'channels', 'status', 'params', 'dry_run', 'fail_on_error', 'github_token', 'needs']);
const ENV_REF = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;
function splitList(text, separators = /[\s,;]+/) {
    return text
        .split(separators)
        .map((s) => s.trim())
        .filter(Boolean);
}
function parseBoolean(value) {
    const v = value.trim().toLowerCase();
    if (['true', 'yes', 'y', 'on', '1'].includes(v))
        return true;
    if (['false', 'no', 'n', 'off', '0', ''].includes(v))
        return false;
    return null;
}
/**
 * Loads settings. `registry` maps channel types to their definitions; a type the registry does
 * not know is reported as an unknown channel. Never throws for bad input.
 */
function loadSettings(raw, env, registry) {
    const errors = [];
    const secrets = [];
    const get = (name) => (raw[name] ?? '').trim();
    // Secret inputs may be env:NAME so secrets never pass through YAML text.
    const resolve = (name, value, where, problems) => {
        const m = ENV_REF.exec(value.trim());
        if (!m)
            return value;
        const envName = m[1];
        const v = env[envName];
        if (v === undefined || v === '') {
            problems.push(`${where}${name}: env:${envName} is not set (set the environment variable ${envName}, e.g. from a secret)`);
            return '';
        }
        return v;
    };
    const top = {};
    for (const name of Object.keys(raw)) {
        const value = get(name);
        if (value === '')
            continue;
        top[name] = SECRET_INPUTS.has(name) || name === 'channels' ? resolve(name, value, '', errors) : value;
        if (SECRET_INPUTS.has(name) && top[name])
            secrets.push(top[name]);
    }
    const dryRun = parseBoolean(top.dry_run ?? 'false');
    if (dryRun === null)
        errors.push('dry_run: expected true or false');
    const failOnError = parseBoolean(top.fail_on_error ?? 'true');
    if (failOnError === null)
        errors.push('fail_on_error: expected true or false');
    const timeout = parseTimeout(top.timeout ?? '10', '', errors);
    const retries = parseRetries(top.retries ?? '3', '', errors);
    // Build the raw targets: `channels` wins; else the flat inputs are one target.
    const rawTargets = [];
    if (top.channels) {
        const list = parseChannelsText(top.channels, errors);
        if (list) {
            list.forEach((entry, index) => {
                const where = `channels[${index}]`;
                const problems = [];
                if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
                    errors.push(`${where}: expected a mapping like {type: webhook, url: env:HOOK_URL}`);
                    return;
                }
                const values = {};
                for (const [key, value] of Object.entries(entry)) {
                    const name = key.trim().replace(/-/g, '_');
                    if (name === 'type' || name === 'name') {
                        values[name] = stringify(value);
                        continue;
                    }
                    if (!INPUT_NAMES.has(name)) {
                        problems.push(`${key}: not an input (see the inputs table in the README)`);
                        continue;
                    }
                    if (RUN_INPUTS.has(name)) {
                        problems.push(`${key}: applies to the whole run; set it outside channels`);
                        continue;
                    }
                    // env:NAME is allowed in any string value of a channels entry.
                    const text = resolve(name, name === 'headers' ? headerLines(value) : stringify(value), '', problems);
                    values[name] = text;
                    if (SECRET_INPUTS.has(name) && text)
                        secrets.push(text);
                }
                for (const name of INHERITED)
                    if (values[name] === undefined && top[name] !== undefined)
                        values[name] = top[name];
                if (problems.length) {
                    rawTargets.push({ index, where, values: { ...values, __problems: JSON.stringify(problems) } });
                }
                else {
                    rawTargets.push({ index, where, values });
                }
            });
            if (list.length === 0)
                errors.push('channels: the list is empty; give at least one {type: …} entry');
        }
    }
    else if (top.channel) {
        const values = { ...top, type: top.channel };
        for (const name of RUN_INPUTS)
            delete values[name];
        rawTargets.push({ index: 0, where: '', values });
    }
    else if (!top.channels) {
        errors.push(`channel: no target given; set channel (one of ${CHANNEL_TYPES.join(', ')}) or channels (a list of targets)`);
    }
    // Names: given, else the type, with #N when a type repeats.
    const typeCount = new Map();
    for (const t of rawTargets) {
        const type = (t.values.type ?? '').trim().toLowerCase();
        typeCount.set(type, (typeCount.get(type) ?? 0) + 1);
    }
    const seen = new Map();
    const targets = [];
    const invalid = [];
    for (const t of rawTargets) {
        const type = (t.values.type ?? '').trim().toLowerCase();
        const n = (seen.get(type) ?? 0) + 1;
        seen.set(type, n);
        const name = t.values.name?.trim() || ((typeCount.get(type) ?? 0) > 1 ? `${type || 'target'}#${n}` : type || `target#${t.index}`);
        const prefix = t.where ? `${t.where}${t.values.name ? ` "${t.values.name}"` : ''} ` : '';
        const problems = t.values.__problems ? JSON.parse(t.values.__problems) : [];
        const channel = registry[type];
        if (!type) {
            problems.push(`${t.where ? 'type' : 'channel'}: missing; expected one of ${CHANNEL_TYPES.join(', ')}`);
        }
        else if (!channel) {
            problems.push(`${t.where ? 'type' : 'channel'}: unknown channel "${type.slice(0, 40)}"; expected one of ${Object.keys(registry).join(', ')}`);
        }
        const common = parseCommon(t.values, timeout, retries, problems);
        let options = undefined;
        if (channel && common) {
            const raw = withoutMeta(t.values);
            if (common.msg_type && channel.msgTypes.length && !channel.msgTypes.includes(common.msg_type)) {
                const match = channel.msgTypes.find((m) => m.toLowerCase() === common.msg_type.toLowerCase());
                if (match)
                    common.msg_type = match;
                else
                    problems.push(`msg_type: "${common.msg_type.slice(0, 30)}" is not a ${type} message type; expected one of ${channel.msgTypes.join(', ')}`);
            }
            const parsed = channel.options.safeParse(raw);
            if (parsed.success) {
                options = parsed.data;
                for (const s of channel.secrets(options))
                    if (s)
                        secrets.push(s);
            }
            else {
                problems.push(...formatIssues(parsed.error));
            }
        }
        if (problems.length || !channel || !common) {
            invalid.push({ name, index: t.index, channel: type, errors: problems.map((p) => `${prefix}${p}`) });
            continue;
        }
        targets.push({
            settings: { ...common, name, index: t.index, channel: type, raw: withoutMeta(t.values) },
            channel,
            options,
        });
    }
    return {
        status: top.status ?? '',
        params_text: top.params ?? '',
        needs: top.needs ?? '',
        github_token: top.github_token ?? '',
        dry_run: dryRun ?? false,
        fail_on_error: failOnError ?? true,
        timeout_ms: timeout,
        retries,
        targets,
        invalid,
        errors,
        secrets,
    };
}
function parseCommon(v, timeoutDefault, retriesDefault, problems) {
    const before = problems.length;
    const words = (name) => {
        const list = splitList((v[name] ?? 'always').toLowerCase().replace(/-/g, '_'));
        const bad = list.filter((w) => !settings_TRIGGER_WORDS.includes(w));
        if (bad.length)
            problems.push(`${name}: "${bad.join(', ').slice(0, 60)}" not understood; expected ${settings_TRIGGER_WORDS.join(', ')}`);
        return (list.length ? list : ['always']);
    };
    const notifyOn = words('notify_on');
    const mentionOn = words('mention_on');
    const locale = (v.locale ?? 'en').trim().toLowerCase().replace(/[-_].*$/, '');
    if (locale !== 'en' && locale !== 'zh')
        problems.push(`locale: "${locale.slice(0, 20)}" not supported; expected en or zh`);
    let fields = null;
    if (v.fields) {
        const list = splitList(v.fields.toLowerCase());
        const bad = list.filter((f) => !FIELD_NAMES.includes(f));
        if (bad.length)
            problems.push(`fields: "${bad.join(', ').slice(0, 60)}" unknown; expected any of ${FIELD_NAMES.join(', ')}`);
        fields = list.filter((f) => FIELD_NAMES.includes(f));
    }
    const atAll = parseBoolean(v.at_all ?? 'false');
    if (atAll === null)
        problems.push('at_all: expected true or false');
    const timeoutMs = v.timeout !== undefined ? parseTimeout(v.timeout, '', problems) : timeoutDefault;
    const retries = v.retries !== undefined ? parseRetries(v.retries, '', problems) : retriesDefault;
    if (problems.length > before)
        return null;
    return {
        notify_on: notifyOn,
        mention_on: mentionOn,
        title: v.title ?? '',
        template: v.template ?? '',
        msg_type: (v.msg_type ?? '').trim(),
        fields,
        locale: locale,
        keyword: (v.keyword ?? '').trim(),
        at_mobiles: splitList(v.at_mobiles ?? ''),
        at_user_ids: splitList(v.at_user_ids ?? ''),
        at_all: atAll ?? false,
        timeout_ms: timeoutMs,
        retries,
    };
}
function parseTimeout(text, where, problems) {
    const n = Number(text.trim().replace(/s$/i, ''));
    if (!Number.isFinite(n) || n <= 0 || n > 600) {
        problems.push(`${where}timeout: expected seconds between 1 and 600, e.g. 10`);
        return 10_000;
    }
    return Math.round(n * 1000);
}
function parseRetries(text, where, problems) {
    const n = Number(text.trim());
    if (!Number.isInteger(n) || n < 0 || n > 10) {
        problems.push(`${where}retries: expected a whole number from 0 to 10`);
        return 3;
    }
    return n;
}
/**
 * `channels` is YAML (a superset of JSON). The parser's own messages quote the offending text,
 * which may be a secret URL, so only the position is reported.
 */
function parseChannelsText(text, errors) {
    let value;
    const trimmed = text.trim();
    if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
        try {
            value = JSON.parse(trimmed);
        }
        catch {
            value = undefined;
        }
    }
    if (value === undefined) {
        try {
            value = yamlParse(trimmed);
        }
        catch (err) {
            const pos = err.linePos?.[0];
            errors.push(`channels: not a valid YAML or JSON list${pos ? ` (line ${pos.line}, column ${pos.col})` : ''}; expected e.g. "- type: webhook\\n  url: env:HOOK_URL"`);
            return null;
        }
    }
    if (value && typeof value === 'object' && !Array.isArray(value))
        value = [value];
    if (!Array.isArray(value)) {
        errors.push('channels: expected a list of targets, each {type, name?, …}');
        return null;
    }
    return value;
}
/**
 * yaml is needed only when `channels` is YAML. It is required lazily so the common single-target
 * run never pays for loading it (startup time is measured).
 */
let yamlParse = (text) => {
    throw new Error(`yaml not loaded: ${text.length}`);
};
async function prepareYaml(raw) {
    const text = (raw.channels ?? '').trim();
    if (!text)
        return;
    try {
        JSON.parse(text);
        return; // JSON needs no YAML parser
    }
    catch {
        /* YAML */
    }
    const yaml = await __nccwpck_require__.e(/* import() */ 815).then(__nccwpck_require__.t.bind(__nccwpck_require__, 8815, 19));
    yamlParse = (t) => yaml.parse(t, { prettyErrors: true });
}
function stringify(value) {
    if (value === null || value === undefined)
        return '';
    if (typeof value === 'string')
        return value;
    if (typeof value === 'number' || typeof value === 'boolean')
        return String(value);
    if (Array.isArray(value))
        return value.map(stringify).join('\n');
    return JSON.stringify(value);
}
/** `headers` may be a mapping in `channels`; the webhook channel reads "Name: value" lines. */
function headerLines(value) {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
        return Object.entries(value)
            .map(([k, v]) => `${k}: ${stringify(v)}`)
            .join('\n');
    }
    return stringify(value);
}
function withoutMeta(values) {
    const { type: _type, name: _name, __problems: _p, ...rest } = values;
    return rest;
}
/** zod issues → "url: expected an http(s) URL" (the path names the input). */
function formatIssues(error) {
    return error.issues.map((issue) => {
        const path = issue.path.map(String).join('.');
        return path ? `${path}: ${issue.message}` : issue.message;
    });
}

;// CONCATENATED MODULE: ./src/main.ts









const EXIT_OK = 0;
const EXIT_DELIVERY_FAILED = 1;
const EXIT_BAD_CONFIG = 2;
async function run(deps) {
    const { platform, env, redactor } = deps;
    const log = platform.log;
    const now = deps.now ?? (() => new Date());
    await prepareYaml(deps.inputs);
    const settings = loadSettings(deps.inputs, env, CHANNELS);
    // Secrets are masked before the first line is printed (DESIGN §7).
    for (const secret of settings.secrets)
        for (const form of redactor.add(secret))
            platform.mask(form);
    const params = parseParams(settings.params_text);
    const runErrors = [...settings.errors, ...params.errors];
    const status = normalizeStatus(settings.status);
    if (status.warning && !runErrors.length)
        log.warn(status.warning);
    if (runErrors.length) {
        for (const e of runErrors)
            log.error(e);
        setOutputs(platform, [], status.status, null);
        return settings.fail_on_error ? EXIT_BAD_CONFIG : warnGreen(log, 'configuration errors');
    }
    const http = deps.http ??
        createHttpClient({
            timeoutMs: settings.timeout_ms,
            retries: settings.retries,
            log,
            redactor,
            dryRun: settings.dry_run,
            env,
            userAgent: USER_AGENT,
            ...(deps.sleep ? { sleep: deps.sleep } : {}),
        });
    let results;
    let event;
    try {
        event = await platform.buildEvent({
            status: status.status,
            params: params.params,
            needs: settings.needs,
            github_token: settings.github_token,
            id: deps.uuid(),
            now: now(),
            http,
        });
        if (settings.github_token)
            redactor.add(settings.github_token);
        const planned = settings.targets.map((target) => deliverTarget(target, event, settings, http, deps, now));
        const invalid = settings.invalid.map((t) => {
            for (const e of t.errors)
                log.error(e);
            return [failed(t.name, t.channel || 'unknown', t.errors.join('; '))];
        });
        results = [...(await Promise.all(planned)).flat(), ...invalid.flat()];
    }
    finally {
        await http.close?.();
    }
    for (const r of results)
        log.info(redactor.redact(resultLine(r)));
    setOutputs(platform, results, event.status, event);
    platform.writeSummary(redactor.redact(summaryMarkdown(event, results, env)));
    const failedCount = results.filter((r) => !r.ok && !r.skipped).length;
    if (settings.invalid.length) {
        return settings.fail_on_error ? EXIT_BAD_CONFIG : warnGreen(log, 'configuration errors');
    }
    if (failedCount) {
        return settings.fail_on_error ? EXIT_DELIVERY_FAILED : warnGreen(log, `${failedCount} failed deliveries`);
    }
    return EXIT_OK;
}
async function deliverTarget(target, event, settings, http, deps, now) {
    const { settings: t, channel } = target;
    const log = deps.platform.log;
    const started = Date.now();
    if (!matchesTrigger(t.notify_on, event)) {
        log.info(`${t.name}: not notified (notify_on: ${t.notify_on.join(', ')}; status ${event.status}${event.transition ? `, ${event.transition}` : ''})`);
        return [{ ...base(t.name, t.channel), ok: true, skipped: true }];
    }
    const warn = warnOnce((m) => log.warn(`${t.name}: ${m}`));
    try {
        const message = buildMessage(event, {
            locale: t.locale,
            fields: t.fields,
            title: t.title,
            template: t.template,
            env: deps.env,
            warn,
        });
        const ctx = {
            options: target.options,
            target: t,
            event,
            message,
            render: (template, mode) => renderTemplate(template, { event, env: deps.env, locale: t.locale }, mode, warn),
            mention: matchesTrigger(t.mention_on, event),
            http: withTargetDefaults(http, t.timeout_ms, t.retries, `${t.channel} ${t.name}`),
            now,
            log: prefixed(log, t.name),
            dryRun: settings.dry_run,
            env: deps.env,
        };
        const out = await channel.send(ctx);
        return (Array.isArray(out) ? out : [out]).map((r) => fromChannel(t.name, t.channel, r));
    }
    catch (err) {
        // A channel bug or an unexpected failure stays with its target; the others go on.
        const message = err instanceof Error ? err.message : String(err);
        return [{ ...failed(t.name, t.channel, deps.redactor.redact(message)), duration_ms: Date.now() - started }];
    }
}
function withTargetDefaults(http, timeoutMs, retries, label) {
    return {
        ...http,
        deliver: (request, read, options) => http.deliver(request, read, { timeoutMs, retries, label, ...options }),
    };
}
function prefixed(log, name) {
    return {
        info: (m) => log.info(`${name}: ${m}`),
        warn: (m) => log.warn(`${name}: ${m}`),
        error: (m) => log.error(`${name}: ${m}`),
        debug: (m) => log.debug(`${name}: ${m}`),
        group: (title, body) => log.group(title, body),
    };
}
function base(name, channel) {
    return { name, channel, ok: false, skipped: false, dry_run: false, attempts: 0, status_code: null, error: null, duration_ms: 0 };
}
function failed(name, channel, error) {
    return { ...base(name, channel), error };
}
function fromChannel(name, channel, r) {
    return {
        name: r.receiver ? `${name} → ${r.receiver}` : name,
        channel,
        ok: r.ok,
        skipped: false,
        dry_run: r.dry_run,
        attempts: r.attempts,
        status_code: r.status_code,
        error: r.ok ? null : r.error,
        duration_ms: r.duration_ms,
    };
}
function warnGreen(log, what) {
    log.warn(`fail_on_error is false: ${what} do not fail this step`);
    return EXIT_OK;
}
function setOutputs(platform, results, status, event) {
    const delivered = results.filter((r) => r.ok && !r.skipped && !r.dry_run).length;
    const failedCount = results.filter((r) => !r.ok && !r.skipped).length;
    platform.setOutput('results', JSON.stringify(results));
    platform.setOutput('delivered', String(delivered));
    platform.setOutput('failed', String(failedCount));
    platform.setOutput('status', status);
    platform.setOutput('event', event ? JSON.stringify(event) : '');
}
function resultLine(r) {
    const what = r.skipped ? 'skipped' : r.dry_run ? 'dry run (nothing sent)' : r.ok ? 'delivered' : `failed: ${r.error ?? 'unknown error'}`;
    const attempts = r.attempts > 1 ? ` after ${r.attempts} attempts` : '';
    return `${r.ok ? (r.skipped ? '⏭️' : '✅') : '❌'} ${r.name} (${r.channel}): ${what}${r.ok ? attempts : ''} [${r.duration_ms} ms]`;
}
function summaryMarkdown(event, results, env) {
    const message = buildMessage(event, { locale: 'en', fields: null, title: '', template: '', env, warn: () => { } });
    const cell = (s) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
    const rows = results.map((r) => {
        const result = r.skipped
            ? '⏭️ skipped (notify_on)'
            : r.dry_run
                ? '🧪 dry run'
                : r.ok
                    ? '✅ delivered'
                    : `❌ ${r.error ?? 'failed'}`;
        return `| ${cell(r.name)} | ${r.channel} | ${cell(result)} | ${r.attempts} | ${r.duration_ms} ms |`;
    });
    return [
        `### ${message.status_emoji} ${cell(message.headline)} — notifications`,
        '| target | channel | result | attempts | time |',
        '| --- | --- | --- | --- | --- |',
        ...rows,
    ].join('\n');
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
;// CONCATENATED MODULE: ./src/event/github-api.ts


/**
 * The few GitHub REST reads that make a notification richer: the run's jobs, when the run started,
 * the previous run's outcome and a commit's message. Plain JSON over the project's HttpClient
 * (no @actions/github / Octokit: four GETs do not need a 1 MB client in the bundle's cold start).
 *
 * Best effort: a short timeout and no retries (a notification should not wait on a slow API), and
 * every failure is a `GitHubApiError` whose message names what was read and the likely fix — never
 * the token. The caller turns it into a warning and nulls.
 */
class GitHubApiError extends Error {
    dryRun;
    name = 'GitHubApiError';
    /** True when nothing was sent because the HTTP client is in dry-run mode: not worth a warning. */
    constructor(message, dryRun = false) {
        super(message);
        this.dryRun = dryRun;
    }
}
const DEFAULT_TIMEOUT_MS = 5000;
/** Enough to look past a few cancelled/skipped runs without paging. */
const PREVIOUS_RUNS_PAGE = 20;
/** The jobs endpoint pages at 100; a run with more jobs loses the rest from the list (rare; noted in the README). */
const JOBS_PAGE = 100;
/** Builds the client from the runner environment, or null when there is no token to read with. */
function githubApiFromEnv(env, token, http, timeoutMs) {
    const repository = env.GITHUB_REPOSITORY;
    if (!token || !repository)
        return null;
    const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
    const apiUrl = env.GITHUB_API_URL || (server === 'https://github.com' ? 'https://api.github.com' : `${server}/api/v3`);
    return createGitHubApi({ http, apiUrl, repository, token, timeoutMs });
}
function createGitHubApi(options) {
    const base = `${options.apiUrl.replace(/\/+$/, '')}/repos/${options.repository.split('/').map(encodeURIComponent).join('/')}`;
    async function get(path, what) {
        const outcome = await options.http.deliver({
            method: 'GET',
            url: `${base}${path}`,
            headers: {
                accept: 'application/vnd.github+json',
                authorization: `Bearer ${options.token}`,
                'x-github-api-version': '2022-11-28',
                'user-agent': USER_AGENT,
            },
        }, readGitHubAnswer, { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, retries: 0, label: `github api ${what}` });
        if (outcome.dry_run)
            throw new GitHubApiError(`github api: ${what} not read in a dry run`, true);
        if (!outcome.ok || !outcome.answer) {
            throw new GitHubApiError(`github api: could not read ${what}: ${outcome.error ?? 'no answer'}`);
        }
        if (typeof outcome.answer.json !== 'object' || outcome.answer.json === null) {
            throw new GitHubApiError(`github api: could not read ${what}: the answer is not JSON`);
        }
        return outcome.answer.json;
    }
    return {
        async run(runId) {
            const run = asRecord(await get(`/actions/runs/${encodeURIComponent(runId)}`, 'the workflow run'));
            return {
                name: str(run.name),
                started_at: str(run.run_started_at),
                workflow_id: num(run.workflow_id),
                head_branch: str(run.head_branch),
                head_repository: str(asRecord(run.head_repository).full_name),
            };
        },
        async runJobs(runId, attempt, self) {
            const body = asRecord(await get(`/actions/runs/${encodeURIComponent(runId)}/attempts/${attempt}/jobs?per_page=${JOBS_PAGE}`, "the run's jobs"));
            const raw = Array.isArray(body.jobs) ? body.jobs.map(asRecord) : [];
            const selfIndex = findSelf(raw, self);
            const current = selfIndex >= 0 ? raw[selfIndex] : undefined;
            return {
                jobs: raw.filter((_, i) => i !== selfIndex).map(jobSummary),
                current: current ? { name: str(current.name) ?? self.jobKey ?? '', url: str(current.html_url) } : null,
            };
        },
        async previousStatus(query) {
            const params = new URLSearchParams({
                branch: query.branch,
                status: 'completed',
                per_page: String(PREVIOUS_RUNS_PAGE),
            });
            const body = asRecord(await get(`/actions/workflows/${query.workflowId}/runs?${params.toString()}`, 'the previous runs of this workflow'));
            const runs = Array.isArray(body.workflow_runs) ? body.workflow_runs.map(asRecord) : [];
            for (const run of runs) {
                if (String(run.id) === query.currentRunId)
                    continue;
                const number = num(run.run_number);
                // The list is newest first and may hold runs that started after ours and finished already.
                if (query.currentRunNumber !== null && number !== null && number >= query.currentRunNumber)
                    continue;
                const headRepository = str(asRecord(run.head_repository).full_name);
                if (query.headRepository && headRepository && headRepository !== query.headRepository)
                    continue;
                const status = normalizeStatus(str(run.conclusion)).status;
                // Cancelled and skipped runs say nothing about the code: look further back.
                if (status === 'success' || status === 'failure')
                    return status;
            }
            return null;
        },
        async commit(sha) {
            const body = asRecord(await get(`/commits/${encodeURIComponent(sha)}`, 'the commit'));
            const commit = asRecord(body.commit);
            const author = asRecord(commit.author);
            const login = str(asRecord(body.author).login);
            const name = str(author.name);
            const email = str(author.email);
            return {
                message: str(commit.message),
                author: name || email || login ? { name, email, login } : null,
            };
        },
    };
}
/** GitHub answers errors as `{"message": "Bad credentials", "documentation_url": …}`. */
function readGitHubAnswer(answer) {
    if (answer.status >= 200 && answer.status < 300)
        return { ok: true };
    const said = str(asRecord(answer.json).message)?.slice(0, 120);
    const error = `HTTP ${answer.status}${said ? ` (${said})` : ''}`;
    switch (answer.status) {
        case 401:
            return {
                ok: false,
                retry: false,
                error,
                hint: 'github_token was not accepted; leave it at its default ${{ github.token }}',
            };
        case 403:
            return {
                ok: false,
                retry: false,
                error,
                hint: 'github_token lacks permission (the job needs `permissions: actions: read`) or the API rate limit is used up',
            };
        case 404:
            return {
                ok: false,
                retry: false,
                error,
                hint: 'not visible with this github_token (private repository without `actions: read`?)',
            };
        default:
            // No retries here: this is decoration for a message, not worth delaying the notification.
            return { ok: false, retry: false, error };
    }
}
function findSelf(jobs, self) {
    const running = (job) => job.status === 'in_progress';
    if (self.runnerName) {
        const byRunner = jobs.findIndex((job) => running(job) && job.runner_name === self.runnerName);
        if (byRunner >= 0)
            return byRunner;
    }
    if (self.jobKey)
        return jobs.findIndex((job) => running(job) && job.name === self.jobKey);
    return -1;
}
function jobSummary(job) {
    const finished = job.status === 'completed';
    const status = normalizeStatus(str(finished ? job.conclusion : job.status)).status;
    const started = Date.parse(str(job.started_at) ?? '');
    const completed = Date.parse(str(job.completed_at) ?? '');
    return {
        name: str(job.name) ?? '',
        status,
        url: str(job.html_url),
        duration_ms: finished && Number.isFinite(started) && Number.isFinite(completed) ? Math.max(0, completed - started) : null,
    };
}
function asRecord(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
}
function str(value) {
    return typeof value === 'string' && value !== '' ? value : null;
}
function num(value) {
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

;// CONCATENATED MODULE: ./src/event/github.ts




/** `before` of a push that created the branch: not a commit. */
const NO_COMMIT = /^0+$/;
async function githubEvent(input, env, deps) {
    const payload = await readPayload(env.GITHUB_EVENT_PATH, deps);
    const server = github_text(env.GITHUB_SERVER_URL)?.replace(/\/+$/, '') ?? null;
    const repository = github_text(env.GITHUB_REPOSITORY) ?? github_text(github_record(payload.repository).full_name);
    const repoUrl = server && repository ? `${server}/${repository}` : null;
    const eventName = github_text(env.GITHUB_EVENT_NAME);
    const runId = github_text(env.GITHUB_RUN_ID);
    const runNumber = count(env.GITHUB_RUN_NUMBER);
    const attempt = count(env.GITHUB_RUN_ATTEMPT);
    const pullRequest = 'pull_request' in payload ? github_record(payload.pull_request) : null;
    const ref = refOf(env, payload, pullRequest, repoUrl);
    const sha = (pullRequest ? github_text(github_record(pullRequest.head).sha) : null) ?? github_text(env.GITHUB_SHA) ?? github_text(payload.after);
    const headCommit = github_record(payload.head_commit);
    const payloadCommit = sha && headCommit.id === sha ? headCommit : null;
    const warn = (message) => deps.warn(message);
    const needsJobs = jobsFromNeeds(input.needs, warn);
    const status = resolveStatus(input.status, needsJobs, warn);
    const api = deps.api === undefined ? (input.http ? githubApiFromEnv(env, input.github_token, input.http) : null) : deps.api;
    const facts = await readApiFacts(api, warn, input.github_token, {
        runId,
        attempt: attempt ?? 1,
        runNumber,
        runnerName: github_text(env.RUNNER_NAME),
        jobKey: github_text(env.GITHUB_JOB),
        branch: ref.type === 'pull_request' ? ref.name : (github_text(env.GITHUB_REF_NAME) ?? ref.name),
        // The payload's head commit already has the text; ask the API only when it does not.
        commitSha: payloadCommit ? null : sha,
    });
    const startedAt = facts.run?.started_at ?? null;
    const startedMs = startedAt ? Date.parse(startedAt) : NaN;
    const commitText = payloadCommit ? commitFromPayload(payloadCommit) : facts.commit;
    const jobKey = github_text(env.GITHUB_JOB);
    return {
        schema: EVENT_SCHEMA_ID,
        id: input.id,
        timestamp: input.now.toISOString(),
        provider: 'github',
        status,
        previous_status: facts.previous,
        transition: transitionOf(status, facts.previous),
        pipeline: {
            id: runId,
            number: runNumber,
            attempt,
            name: github_text(env.GITHUB_WORKFLOW) ?? facts.run?.name ?? null,
            url: repoUrl && runId
                ? `${repoUrl}/actions/runs/${runId}${attempt && attempt > 1 ? `/attempts/${attempt}` : ''}`
                : null,
            trigger: eventName,
            started_at: startedAt,
            // The run is still going while its notification step runs.
            finished_at: null,
            duration_ms: Number.isFinite(startedMs) ? Math.max(0, input.now.getTime() - startedMs) : null,
        },
        job: jobKey || facts.jobs?.current
            ? { id: jobKey, name: facts.jobs?.current?.name ?? jobKey, stage: null, url: facts.jobs?.current?.url ?? null }
            : null,
        // The API knows every job with its link and duration; `needs` only the direct dependencies.
        jobs: facts.jobs?.jobs ?? needsJobs ?? [],
        repository: {
            name: repository ? (repository.split('/').pop() ?? null) : null,
            full_name: repository,
            namespace: github_text(env.GITHUB_REPOSITORY_OWNER) ?? (repository?.includes('/') ? repository.split('/')[0] : null),
            url: repoUrl,
        },
        ref,
        commit: {
            sha,
            short_sha: sha ? sha.slice(0, 7) : null,
            title: commitText?.message ? github_firstLine(commitText.message) : null,
            message: commitText?.message ?? null,
            url: repoUrl && sha ? `${repoUrl}/commit/${sha}` : null,
            before_sha: beforeSha(payload.before),
            author: commitText?.author ?? null,
        },
        change_request: changeRequestOf(env, payload, pullRequest, repoUrl),
        actor: github_text(env.GITHUB_ACTOR) ? { login: github_text(env.GITHUB_ACTOR), name: null, email: null } : null,
        params: { ...dispatchInputs(eventName, payload), ...input.params },
        server_url: server,
    };
}
async function readPayload(path, deps) {
    if (!path)
        return {};
    try {
        return github_record(JSON.parse(await deps.readFile(path)));
    }
    catch {
        deps.warn('event: could not read the GitHub event payload (GITHUB_EVENT_PATH); commit and pull request details are left empty');
        return {};
    }
}
function refOf(env, payload, pullRequest, repoUrl) {
    const fullRef = github_text(env.GITHUB_REF) ?? '';
    const pullNumber = /^refs\/pull\/(\d+)\//.exec(fullRef)?.[1];
    if (pullRequest || pullNumber) {
        // The source branch is what people call a pull request's ref; GITHUB_REF_NAME would be "12/merge".
        return {
            name: github_text(github_record(pullRequest?.head).ref) ?? github_text(env.GITHUB_HEAD_REF),
            type: 'pull_request',
            url: github_text(pullRequest?.html_url) ?? (repoUrl && pullNumber ? `${repoUrl}/pull/${pullNumber}` : null),
        };
    }
    const release = github_record(payload.release);
    if (github_text(env.GITHUB_EVENT_NAME) === 'release' && github_text(release.tag_name)) {
        return { name: github_text(release.tag_name), type: 'tag', url: github_text(release.html_url) };
    }
    const type = env.GITHUB_REF_TYPE === 'branch' || env.GITHUB_REF_TYPE === 'tag'
        ? env.GITHUB_REF_TYPE
        : fullRef.startsWith('refs/heads/')
            ? 'branch'
            : fullRef.startsWith('refs/tags/')
                ? 'tag'
                : null;
    const name = github_text(env.GITHUB_REF_NAME) ?? (github_text(fullRef.replace(/^refs\/(heads|tags)\//, '')) || null);
    return { name, type, url: repoUrl && name && type ? `${repoUrl}/tree/${encodePath(name)}` : null };
}
function changeRequestOf(env, payload, pullRequest, repoUrl) {
    if (pullRequest) {
        return {
            number: whole(pullRequest.number) ?? whole(payload.number),
            title: github_text(pullRequest.title),
            url: github_text(pullRequest.html_url),
            source_branch: github_text(github_record(pullRequest.head).ref),
            target_branch: github_text(github_record(pullRequest.base).ref),
        };
    }
    const pullNumber = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '')?.[1];
    if (!pullNumber)
        return null;
    return {
        number: Number(pullNumber),
        title: null,
        url: repoUrl ? `${repoUrl}/pull/${pullNumber}` : null,
        source_branch: github_text(env.GITHUB_HEAD_REF),
        target_branch: github_text(env.GITHUB_BASE_REF),
    };
}
function commitFromPayload(headCommit) {
    const author = github_record(headCommit.author);
    const person = { name: github_text(author.name), email: github_text(author.email), login: github_text(author.username) };
    return { message: github_text(headCommit.message), author: person.name || person.email || person.login ? person : null };
}
/**
 * `${{ toJSON(needs) }}`: `{"build":{"result":"success","outputs":{}}}` → one job per need.
 * Not given → null (as opposed to given but empty → []).
 */
function jobsFromNeeds(needs, warn) {
    if (!needs || needs.trim() === '')
        return null;
    let parsed;
    try {
        parsed = JSON.parse(needs);
    }
    catch {
        warn('needs: expected the JSON of ${{ toJSON(needs) }}; ignoring it');
        return null;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        warn('needs: expected the JSON of ${{ toJSON(needs) }}; ignoring it');
        return null;
    }
    return Object.entries(parsed).map(([name, need]) => ({
        name,
        status: normalizeStatus(github_text(github_record(need).result)).status,
        url: null,
        duration_ms: null,
    }));
}
/**
 * The status input, or what `needs` says. The action's default status is `${{ job.status }}`,
 * which in a final `needs:` report job is that job's own (green) status: so when `needs` shows a
 * failed or cancelled dependency, that wins over a "success" input. An explicit failure or
 * cancelled input always stands.
 */
function resolveStatus(given, needsJobs, warn) {
    const fromNeeds = needsJobs && needsJobs.length > 0 ? outcomeOfNeeds(needsJobs) : null;
    if (!given || given.trim() === '') {
        if (fromNeeds)
            return fromNeeds;
        warn('status: no status given (and no `needs` to derive it from); reporting "unknown" — pass status: ${{ job.status }}');
        return 'unknown';
    }
    const normalized = normalizeStatus(given);
    if (normalized.warning)
        warn(normalized.warning);
    if (normalized.status === 'success' && (fromNeeds === 'failure' || fromNeeds === 'cancelled'))
        return fromNeeds;
    return normalized.status;
}
function outcomeOfNeeds(jobs) {
    const statuses = new Set(jobs.map((job) => job.status));
    if (statuses.has('failure'))
        return 'failure';
    if (statuses.has('cancelled'))
        return 'cancelled';
    if ([...statuses].every((s) => s === 'skipped'))
        return 'skipped';
    if ([...statuses].every((s) => s === 'success' || s === 'skipped'))
        return 'success';
    return 'unknown';
}
/** All reads run at once; each one that fails is one warning and a null, never a failed notification. */
async function readApiFacts(api, warn, token, query) {
    if (!api)
        return { run: null, jobs: null, previous: null, commit: null };
    const attempt = (read) => read().catch((error) => {
        // A dry-run client sends nothing, reads included; the preview simply lacks API facts.
        if (!(error instanceof GitHubApiError && error.dryRun))
            warn(apiWarning(error, token));
        return null;
    });
    const runId = query.runId;
    const runAndPrevious = runId
        ? attempt(() => api.run(runId)).then(async (run) => {
            const branch = run?.head_branch ?? query.branch;
            if (!run || run.workflow_id === null || !branch)
                return { run, previous: null };
            const previous = await attempt(() => api.previousStatus({
                workflowId: run.workflow_id,
                branch,
                currentRunId: runId,
                currentRunNumber: query.runNumber,
                headRepository: run.head_repository,
            }));
            return { run, previous };
        })
        : Promise.resolve({ run: null, previous: null });
    const jobs = runId
        ? attempt(() => api.runJobs(runId, query.attempt, { runnerName: query.runnerName, jobKey: query.jobKey }))
        : Promise.resolve(null);
    const sha = query.commitSha;
    const commit = sha ? attempt(() => api.commit(sha)) : Promise.resolve(null);
    const [{ run, previous }, jobList, commitDetails] = await Promise.all([runAndPrevious, jobs, commit]);
    return { run, jobs: jobList, previous, commit: commitDetails };
}
function apiWarning(error, token) {
    const message = error instanceof GitHubApiError
        ? error.message
        : `github api: unexpected error (${error instanceof Error ? error.message : String(error)})`;
    // Defence in depth: the logger redacts too, but this line must never carry the token.
    return token ? message.split(token).join('***') : message;
}
/** workflow_dispatch inputs are the run's parameters; an explicit `params` line wins over an input of the same name. */
function dispatchInputs(eventName, payload) {
    if (eventName !== 'workflow_dispatch')
        return {};
    return Object.fromEntries(Object.entries(github_record(payload.inputs))
        .filter(([, value]) => value !== null && value !== undefined)
        .map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
}
function beforeSha(value) {
    const sha = github_text(value);
    return sha && !NO_COMMIT.test(sha) ? sha : null;
}
function github_firstLine(message) {
    return github_text(message.split(/\r?\n/, 1)[0]?.trim()) ?? null;
}
function encodePath(name) {
    return name.split('/').map(encodeURIComponent).join('/');
}
function github_record(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
}
function github_text(value) {
    return typeof value === 'string' && value.trim() !== '' ? value : null;
}
function count(value) {
    return value && /^\d+$/.test(value.trim()) ? Number(value.trim()) : null;
}
function whole(value) {
    return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

;// CONCATENATED MODULE: ./src/platform/github.ts
/**
 * GitHub Actions: inputs from INPUT_*, outputs and the job summary through the runner's file
 * commands, masking with ::add-mask::. The runner protocol is written out here instead of loading
 * @actions/core: its bundle pulls in an HTTP client and costs ~110 ms at every start (measured with
 * `npm run bench`), for the four file commands below.
 */





/** Escapes data of a workflow command (actions/toolkit command.ts escapeData). */
function escapeData(text) {
    return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function githubLogger(io, redact, debugEnabled) {
    return {
        info: (m) => io.stdout(redact(m)),
        warn: (m) => io.stdout(`::warning::${escapeData(redact(m))}`),
        error: (m) => io.stdout(`::error::${escapeData(redact(m))}`),
        debug: (m) => {
            if (debugEnabled)
                io.stdout(`::debug::${escapeData(redact(m))}`);
        },
        async group(title, body) {
            io.stdout(`::group::${escapeData(redact(title))}`);
            try {
                return await body();
            }
            finally {
                io.stdout('::endgroup::');
            }
        },
    };
}
function githubPlatform(env, io, redact) {
    const log = githubLogger(io, redact, env.RUNNER_DEBUG === '1' || env.ACTIONS_STEP_DEBUG === 'true');
    return {
        name: 'github',
        log,
        readInputs() {
            const inputs = {};
            for (const { name } of INPUTS) {
                // The runner upper-cases the name and replaces spaces with underscores.
                const value = env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`];
                if (value !== undefined)
                    inputs[name] = value.trim();
            }
            return inputs;
        },
        mask(secret) {
            // A multi-line secret is masked line by line, as the runner matches per line.
            for (const line of secret.split(/\r?\n/))
                if (line.trim())
                    io.stdout(`::add-mask::${escapeData(line)}`);
        },
        async buildEvent(input) {
            return githubEvent(input, env, { readFile: (p) => (0,promises_.readFile)(p, 'utf8'), warn: log.warn });
        },
        setOutput(name, value) {
            const file = env.GITHUB_OUTPUT;
            if (!file) {
                io.stdout(`::set-output name=${name}::${escapeData(value)}`);
                return;
            }
            const delimiter = `ghadelimiter_${(0,external_node_crypto_.randomUUID)()}`;
            (0,external_node_fs_.appendFileSync)(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`, 'utf8');
        },
        writeSummary(markdown) {
            const file = env.GITHUB_STEP_SUMMARY;
            if (file)
                (0,external_node_fs_.appendFileSync)(file, `${markdown}\n`, 'utf8');
        },
    };
}

;// CONCATENATED MODULE: ./src/event/gitlab.ts


/**
 * GitLab CI/CD predefined variables → `ci-notify.event/v1` (DESIGN §3), provider `gitlab`.
 * Reference: https://docs.gitlab.com/ci/variables/predefined_variables/
 *
 * Only what the variables say is reported; everything else is null. The notification job runs
 * inside the pipeline it reports on, so the pipeline has not finished yet: `finished_at` is null
 * and `duration_ms` is the time since CI_PIPELINE_CREATED_AT.
 */
function gitlabEvent(input, env, warn) {
    const projectUrl = gitlab_text(env.CI_PROJECT_URL);
    const sha = gitlab_text(env.CI_COMMIT_SHA);
    const createdAt = isoTime(env.CI_PIPELINE_CREATED_AT);
    const actor = person(gitlab_text(env.GITLAB_USER_NAME), gitlab_text(env.GITLAB_USER_EMAIL), gitlab_text(env.GITLAB_USER_LOGIN));
    const jobId = gitlab_text(env.CI_JOB_ID);
    const jobName = gitlab_text(env.CI_JOB_NAME);
    return {
        schema: EVENT_SCHEMA_ID,
        id: input.id,
        timestamp: input.now.toISOString(),
        provider: 'gitlab',
        status: statusOf(input.status, env, warn),
        previous_status: null,
        transition: null,
        pipeline: {
            id: gitlab_text(env.CI_PIPELINE_ID),
            // CI_PIPELINE_IID is the per-project number people see (#128); CI_PIPELINE_ID is instance-wide.
            number: gitlab_count(env.CI_PIPELINE_IID),
            // GitLab retries jobs, not pipelines: there is no pipeline attempt number.
            attempt: null,
            name: gitlab_text(env.CI_PIPELINE_NAME),
            url: gitlab_text(env.CI_PIPELINE_URL),
            trigger: gitlab_text(env.CI_PIPELINE_SOURCE),
            started_at: createdAt,
            finished_at: null,
            duration_ms: createdAt ? Math.max(0, input.now.getTime() - Date.parse(createdAt)) : null,
        },
        job: jobId || jobName
            ? { id: jobId, name: jobName, stage: gitlab_text(env.CI_JOB_STAGE), url: gitlab_text(env.CI_JOB_URL) }
            : null,
        // The job list of a pipeline needs an API token with read_api; CI_JOB_TOKEN cannot list jobs.
        jobs: [],
        repository: {
            name: gitlab_text(env.CI_PROJECT_NAME),
            full_name: gitlab_text(env.CI_PROJECT_PATH),
            namespace: gitlab_text(env.CI_PROJECT_NAMESPACE),
            url: projectUrl,
        },
        ref: gitlab_refOf(env, projectUrl),
        commit: {
            sha,
            short_sha: gitlab_text(env.CI_COMMIT_SHORT_SHA) ?? (sha ? sha.slice(0, 8) : null),
            title: gitlab_text(env.CI_COMMIT_TITLE),
            message: gitlab_text(env.CI_COMMIT_MESSAGE?.trimEnd()),
            url: projectUrl && sha ? `${projectUrl}/-/commit/${sha}` : null,
            before_sha: beforeShaOf(env.CI_COMMIT_BEFORE_SHA, sha),
            author: authorOf(env.CI_COMMIT_AUTHOR, actor),
        },
        change_request: gitlab_changeRequestOf(env),
        actor,
        params: { ...input.params },
        server_url: gitlab_text(env.CI_SERVER_URL),
    };
}
/**
 * The status given (the component passes success/failure, after_script passes $CI_JOB_STATUS),
 * else CI_JOB_STATUS itself — which is "running" while `script` runs and success/failed/canceled
 * in after_script.
 */
function statusOf(given, env, warn) {
    const raw = given.trim() !== '' ? given : (env.CI_JOB_STATUS ?? '');
    const normalized = normalizeStatus(raw);
    if (normalized.warning)
        warn(normalized.warning);
    return normalized.status;
}
function gitlab_refOf(env, projectUrl) {
    const mergeRequest = mergeRequestOf(env);
    if (mergeRequest) {
        // Like a GitHub pull request: the source branch is the ref people mean, the MR page its link.
        return { name: mergeRequest.source_branch ?? gitlab_text(env.CI_COMMIT_REF_NAME), type: 'merge_request', url: mergeRequest.url };
    }
    const pullRequest = externalPullRequestOf(env);
    if (pullRequest)
        return { name: pullRequest.source_branch ?? gitlab_text(env.CI_COMMIT_REF_NAME), type: 'pull_request', url: null };
    const tag = gitlab_text(env.CI_COMMIT_TAG);
    if (tag)
        return { name: tag, type: 'tag', url: projectUrl ? `${projectUrl}/-/tags/${gitlab_encodePath(tag)}` : null };
    const branch = gitlab_text(env.CI_COMMIT_BRANCH);
    if (branch)
        return { name: branch, type: 'branch', url: projectUrl ? `${projectUrl}/-/tree/${gitlab_encodePath(branch)}` : null };
    return { name: gitlab_text(env.CI_COMMIT_REF_NAME), type: null, url: null };
}
function gitlab_changeRequestOf(env) {
    return mergeRequestOf(env) ?? externalPullRequestOf(env);
}
/** Merge request pipelines (CI_PIPELINE_SOURCE merge_request_event) set CI_MERGE_REQUEST_*. */
function mergeRequestOf(env) {
    const iid = gitlab_count(env.CI_MERGE_REQUEST_IID);
    if (iid === null)
        return null;
    // CI_MERGE_REQUEST_PROJECT_URL is the target project, where the MR lives (also for forks).
    const mrProjectUrl = gitlab_text(env.CI_MERGE_REQUEST_PROJECT_URL) ?? gitlab_text(env.CI_PROJECT_URL);
    return {
        number: iid,
        title: gitlab_text(env.CI_MERGE_REQUEST_TITLE),
        url: mrProjectUrl ? `${mrProjectUrl}/-/merge_requests/${iid}` : null,
        source_branch: gitlab_text(env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME),
        target_branch: gitlab_text(env.CI_MERGE_REQUEST_TARGET_BRANCH_NAME),
    };
}
/**
 * Pipelines for GitHub pull requests of a GitLab CI/CD-for-external-repositories project
 * (CI_PIPELINE_SOURCE external_pull_request_event). The PR lives on GitHub; its URL is not given.
 */
function externalPullRequestOf(env) {
    const iid = gitlab_count(env.CI_EXTERNAL_PULL_REQUEST_IID);
    if (iid === null)
        return null;
    return {
        number: iid,
        title: null,
        url: null,
        source_branch: gitlab_text(env.CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME),
        target_branch: gitlab_text(env.CI_EXTERNAL_PULL_REQUEST_TARGET_BRANCH_NAME),
    };
}
/**
 * CI_COMMIT_AUTHOR is "Name <email>". GitLab does not give the author's username; it is the
 * pipeline user's login only when that user's e-mail is the commit's.
 */
function authorOf(raw, actor) {
    const value = gitlab_text(raw);
    if (!value)
        return null;
    const match = /^(.*?)\s*<([^<>]*)>\s*$/.exec(value);
    const name = gitlab_text(match ? match[1] : value);
    const email = match ? gitlab_text(match[2]) : null;
    const login = email && actor?.email && actor.email.toLowerCase() === email.toLowerCase() ? actor.login : null;
    return person(name, email, login);
}
/** GitLab reports forty zeros as the "before" commit of a new branch, a tag and MR pipelines. */
function beforeShaOf(raw, sha) {
    const value = gitlab_text(raw);
    if (!value || /^0+$/.test(value) || value === sha)
        return null;
    return value;
}
function person(name, email, login) {
    return name || email || login ? { name, email, login } : null;
}
function gitlab_text(value) {
    const trimmed = value?.trim();
    return trimmed ? trimmed : null;
}
function gitlab_count(value) {
    const trimmed = value?.trim() ?? '';
    return /^\d+$/.test(trimmed) ? Number(trimmed) : null;
}
/** CI_PIPELINE_CREATED_AT is ISO 8601 with a zone (2026-12-01T10:00:00Z); anything else is not a time we report. */
function isoTime(value) {
    const raw = gitlab_text(value);
    if (!raw || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(raw))
        return null;
    return Number.isFinite(Date.parse(raw)) ? raw : null;
}
/** Branch and tag names keep their slashes in GitLab URLs (/-/tree/feature/login). */
function gitlab_encodePath(name) {
    return name.split('/').map(encodeURIComponent).join('/');
}

;// CONCATENATED MODULE: ./src/platform/gitlab.ts
/**
 * GitLab CI/CD: inputs from NOTIFY_<NAME> variables (the component turns its inputs into those;
 * secrets come from masked project variables NOTIFY_URL, NOTIFY_SECRET, …), outputs as `ci-notify`
 * lines in the job log and, when NOTIFY_DOTENV names a file, as a dotenv report for later jobs.
 * GitLab masks masked variables in the log itself, so `mask` has nothing to do; our redactor
 * still runs over every line we print.
 */



const ESC = '\u001b';
/** GitLab's log renderer: `\e[0K` erases the line, so the marker itself is never shown. */
const ERASE_LINE = `${ESC}[0K`;
const YELLOW = `${ESC}[0;33m`;
const RED = `${ESC}[0;31m`;
const RESET = `${ESC}[0m`;
/**
 * Outputs that go into the dotenv report. GitLab rejects a dotenv file (and fails the job) whose
 * values hold spaces or newlines or which is over 5 KB, so the JSON outputs stay in the log only.
 * https://docs.gitlab.com/ci/yaml/artifacts_reports/#artifactsreportsdotenv
 */
const DOTENV_OUTPUTS = new Set(['delivered', 'failed', 'status']);
/**
 * Collapsible sections of the job log (https://docs.gitlab.com/ci/jobs/job_logs/#custom-collapsible-sections):
 * `section_start:<unix seconds>:<name>[collapsed=true]` … `section_end:<unix seconds>:<name>`,
 * names limited to letters, digits, `_`, `.` and `-`.
 */
function gitlabLogger(stdout, redact, debugEnabled, nowMs = Date.now) {
    let sections = 0;
    const seconds = () => Math.floor(nowMs() / 1000);
    return {
        info: (m) => stdout(redact(m)),
        warn: (m) => stdout(`${YELLOW}warning:${RESET} ${redact(m)}`),
        error: (m) => stdout(`${RED}error:${RESET} ${redact(m)}`),
        debug: (m) => {
            if (debugEnabled)
                stdout(`debug: ${redact(m)}`);
        },
        async group(title, body) {
            const name = `ci_notify_${++sections}`;
            // A header is one line: a newline in it would end the section marker early.
            const header = redact(title).replace(/[\r\n]+/g, ' ');
            stdout(`${ERASE_LINE}section_start:${seconds()}:${name}[collapsed=true]\r${ERASE_LINE}${header}`);
            try {
                return await body();
            }
            finally {
                stdout(`${ERASE_LINE}section_end:${seconds()}:${name}\r${ERASE_LINE}`);
            }
        },
    };
}
/**
 * `redact` is applied to every line this platform prints (the core passes its Redactor's; the
 * identity default is for callers that print nothing secret, such as tests of the event).
 */
function gitlabPlatform(env, stdout, redact = (s) => s, nowMs = Date.now) {
    const debugEnabled = env.CI_DEBUG_TRACE === 'true' || env.NOTIFY_DEBUG === 'true' || env.NOTIFY_DEBUG === '1';
    const log = gitlabLogger(stdout, redact, debugEnabled, nowMs);
    const dotenvPath = env.NOTIFY_DOTENV?.trim() ?? '';
    const dotenv = new Map();
    return {
        name: 'gitlab',
        log,
        readInputs() {
            const inputs = {};
            for (const { name } of INPUTS) {
                const value = env[`NOTIFY_${name.toUpperCase()}`];
                // Empty means "not given", so a component input left blank never hides a default.
                if (value !== undefined && value !== '')
                    inputs[name] = value;
            }
            // In after_script, CI_JOB_STATUS is the job's outcome (success, failed, canceled).
            if (!inputs.status && env.CI_JOB_STATUS)
                inputs.status = env.CI_JOB_STATUS;
            return inputs;
        },
        mask() {
            /* GitLab masks masked/hidden CI/CD variables in the job log itself; nothing to tell it. */
        },
        async buildEvent(input) {
            return gitlabEvent(input, env, log.warn);
        },
        setOutput(name, value) {
            if (name === 'event')
                log.debug(`ci-notify ${name}=${value}`);
            else
                stdout(redact(`ci-notify ${name}=${value}`));
            if (dotenvPath && DOTENV_OUTPUTS.has(name) && /^[^\s]*$/.test(value)) {
                dotenv.set(`CI_NOTIFY_${name.toUpperCase()}`, redact(value));
                // Rewritten whole each time, so a second run in the same job leaves one value per name.
                (0,external_node_fs_.writeFileSync)(dotenvPath, [...dotenv].map(([k, v]) => `${k}=${v}\n`).join(''), 'utf8');
            }
        },
        writeSummary() {
            /* GitLab has no job summary; the result lines are already in the log. */
        },
    };
}

;// CONCATENATED MODULE: ./src/event/local.ts


/**
 * The CLI outside GitHub and GitLab → `ci-notify.event/v1` (DESIGN §3), provider `local`.
 * Reads what the well-known CI variables give — Drone (DRONE_*), Alibaba Cloud Flow (PIPELINE_*,
 * CI_COMMIT_*), Jenkins (JOB_NAME, BUILD_URL, GIT_*, CHANGE_*, BUILD_USER*; the GIT_* and BUILD_*
 * names double as the generic ones many shells export) — and leaves the rest null.
 *
 * `inputs` may override what the environment says, for a plain shell that has no CI variables:
 * `repository` (owner/name), `ref`, `sha`, `commit_message`, `pipeline_name`, `pipeline_number`,
 * `pipeline_url` (these are not action inputs; the CLI may offer them as flags).
 */
function localEvent(input, env, inputs) {
    const facts = isDrone(env) ? droneFacts(env, input.now) : isFlow(env) ? flowFacts(env) : jenkinsFacts(env);
    const overridden = applyOverrides(facts, inputs);
    const statusInput = input.status.trim() !== '' ? input.status : (local_text(env.DRONE_BUILD_STATUS) ?? '');
    const sha = overridden.sha;
    const message = overridden.message;
    return {
        schema: EVENT_SCHEMA_ID,
        id: input.id,
        timestamp: input.now.toISOString(),
        provider: 'local',
        // Warnings about an unrecognised status are the settings' business (it normalised it first).
        status: normalizeStatus(statusInput).status,
        previous_status: null,
        transition: null,
        pipeline: overridden.pipeline,
        job: overridden.job,
        jobs: overridden.jobs,
        repository: overridden.repository,
        ref: overridden.ref,
        commit: {
            sha,
            short_sha: sha ? sha.slice(0, 7) : null,
            title: message ? (local_text(message.split(/\r?\n/, 1)[0]?.trim()) ?? null) : null,
            message,
            url: overridden.commitUrl ?? (sha ? commitUrlOf(overridden.repository.url, sha) : null),
            before_sha: overridden.beforeSha && overridden.beforeSha !== sha ? overridden.beforeSha : null,
            author: overridden.author,
        },
        change_request: overridden.changeRequest,
        actor: overridden.actor,
        params: { ...input.params },
        server_url: overridden.serverUrl,
    };
}
function isDrone(env) {
    return env.DRONE === 'true' || env.CI === 'drone' || Boolean(env.DRONE_BUILD_NUMBER);
}
/** Flow sets PIPELINE_ID and PIPELINE_NAME; Jenkins never does (its pipeline is JOB_NAME). */
function isFlow(env) {
    return Boolean(env.PIPELINE_ID && env.PIPELINE_NAME && !env.JENKINS_URL);
}
/** Drone: https://docs.drone.io/pipeline/environment/reference/ */
function droneFacts(env, now) {
    const startedSeconds = local_count(env.DRONE_BUILD_STARTED);
    const startedAt = startedSeconds !== null ? new Date(startedSeconds * 1000).toISOString() : null;
    const pullNumber = local_count(env.DRONE_PULL_REQUEST);
    const tag = local_text(env.DRONE_TAG);
    const fullName = local_text(env.DRONE_REPO);
    const proto = local_text(env.DRONE_SYSTEM_PROTO);
    const host = local_text(env.DRONE_SYSTEM_HOST);
    const trigger = local_text(env.DRONE_BUILD_TRIGGER);
    const login = local_text(env.DRONE_COMMIT_AUTHOR);
    const authorName = local_text(env.DRONE_COMMIT_AUTHOR_NAME);
    const authorEmail = local_text(env.DRONE_COMMIT_AUTHOR_EMAIL);
    const refType = pullNumber !== null ? 'pull_request' : tag ? 'tag' : 'branch';
    const stepName = local_text(env.DRONE_STEP_NAME);
    const stageName = local_text(env.DRONE_STAGE_NAME);
    return {
        pipeline: {
            id: local_text(env.DRONE_BUILD_NUMBER),
            number: local_count(env.DRONE_BUILD_NUMBER),
            attempt: null,
            name: null,
            url: local_text(env.DRONE_BUILD_LINK),
            trigger: local_text(env.DRONE_BUILD_EVENT),
            started_at: startedAt,
            // DRONE_BUILD_FINISHED of a running build is just "now"; the build is not finished yet.
            finished_at: null,
            duration_ms: startedSeconds !== null ? Math.max(0, now.getTime() - startedSeconds * 1000) : null,
        },
        job: stepName || stageName ? { id: null, name: stepName ?? stageName, stage: stageName, url: null } : null,
        // Drone only lists the steps that failed so far; those are the ones a message shows.
        jobs: list(env.DRONE_FAILED_STEPS).map((name) => ({ name, status: 'failure', url: null, duration_ms: null })),
        repository: {
            name: local_text(env.DRONE_REPO_NAME) ?? fullName?.split('/').pop() ?? null,
            full_name: fullName,
            namespace: local_text(env.DRONE_REPO_NAMESPACE) ?? local_text(env.DRONE_REPO_OWNER),
            url: local_text(env.DRONE_REPO_LINK),
        },
        ref: {
            name: refType === 'pull_request'
                ? local_text(env.DRONE_SOURCE_BRANCH)
                : refType === 'tag'
                    ? tag
                    : (local_text(env.DRONE_BRANCH) ?? local_text(env.DRONE_COMMIT_BRANCH)),
            type: refType,
            url: null,
        },
        sha: local_text(env.DRONE_COMMIT_SHA) ?? local_text(env.DRONE_COMMIT),
        message: local_text(env.DRONE_COMMIT_MESSAGE),
        commitUrl: refType === 'pull_request' ? null : local_text(env.DRONE_COMMIT_LINK),
        beforeSha: nonZeroSha(env.DRONE_COMMIT_BEFORE),
        author: login || authorName || authorEmail ? { name: authorName, email: authorEmail, login } : null,
        changeRequest: pullNumber !== null
            ? {
                number: pullNumber,
                title: local_text(env.DRONE_PULL_REQUEST_TITLE),
                url: null,
                source_branch: local_text(env.DRONE_SOURCE_BRANCH),
                target_branch: local_text(env.DRONE_TARGET_BRANCH),
            }
            : null,
        // "@hook" and "@cron" name a mechanism, not a person.
        actor: trigger && !trigger.startsWith('@') ? { login: trigger, name: null, email: null } : null,
        serverUrl: proto && host ? `${proto}://${host}` : null,
    };
}
/** Alibaba Cloud DevOps Flow built-in variables (help.aliyun.com/zh/yunxiao/user-guide/environment-variables). */
function flowFacts(env) {
    const executor = local_text(env.BUILD_EXECUTOR);
    return {
        pipeline: {
            id: local_text(env.PIPELINE_ID),
            number: local_count(env.BUILD_NUMBER),
            attempt: null,
            name: local_text(env.PIPELINE_NAME),
            url: null,
            trigger: null,
            started_at: null,
            finished_at: null,
            duration_ms: null,
        },
        job: null,
        jobs: [],
        repository: { name: local_text(env.CI_SOURCE_NAME), full_name: null, namespace: null, url: null },
        // CI_COMMIT_REF_NAME is "the branch or tag chosen for the run": which of the two is not said.
        ref: { name: local_text(env.CI_COMMIT_REF_NAME), type: null, url: null },
        sha: local_text(env.CI_COMMIT_SHA),
        message: local_text(env.CI_COMMIT_TITLE),
        commitUrl: null,
        beforeSha: null,
        author: null,
        changeRequest: null,
        // A display name such as 张三, not a login.
        actor: executor ? { login: null, name: executor, email: null } : null,
        serverUrl: null,
    };
}
/** Jenkins (and the generic GIT_COMMIT / GIT_BRANCH / BUILD_NUMBER / BUILD_URL many shells export). */
function jenkinsFacts(env) {
    const changeId = local_count(env.CHANGE_ID);
    const tag = local_text(env.TAG_NAME);
    const repository = repositoryFromGitUrl(local_text(env.GIT_URL));
    const branch = local_text(env.BRANCH_NAME) ?? local_text(env.GIT_LOCAL_BRANCH) ?? stripRemote(local_text(env.GIT_BRANCH));
    const stage = local_text(env.STAGE_NAME);
    const userLogin = local_text(env.BUILD_USER_ID);
    const userName = local_text(env.BUILD_USER);
    const userEmail = local_text(env.BUILD_USER_EMAIL);
    const authorLogin = changeId !== null ? local_text(env.CHANGE_AUTHOR) : null;
    const authorName = local_text(env.GIT_AUTHOR_NAME) ?? (changeId !== null ? local_text(env.CHANGE_AUTHOR_DISPLAY_NAME) : null);
    const authorEmail = local_text(env.GIT_AUTHOR_EMAIL) ?? (changeId !== null ? local_text(env.CHANGE_AUTHOR_EMAIL) : null);
    return {
        pipeline: {
            id: local_text(env.BUILD_ID) ?? local_text(env.BUILD_NUMBER),
            number: local_count(env.BUILD_NUMBER),
            attempt: null,
            name: local_text(env.JOB_NAME),
            url: local_text(env.BUILD_URL),
            trigger: null,
            started_at: null,
            finished_at: null,
            duration_ms: null,
        },
        job: stage ? { id: null, name: stage, stage, url: null } : null,
        jobs: [],
        repository,
        ref: changeId !== null
            ? { name: local_text(env.CHANGE_BRANCH) ?? branch, type: 'pull_request', url: local_text(env.CHANGE_URL) }
            : tag
                ? { name: tag, type: 'tag', url: null }
                : { name: branch, type: branch ? 'branch' : null, url: null },
        sha: local_text(env.GIT_COMMIT),
        message: null,
        commitUrl: null,
        beforeSha: local_text(env.GIT_PREVIOUS_COMMIT),
        author: authorLogin || authorName || authorEmail ? { name: authorName, email: authorEmail, login: authorLogin } : null,
        changeRequest: changeId !== null
            ? {
                number: changeId,
                title: local_text(env.CHANGE_TITLE),
                url: local_text(env.CHANGE_URL),
                source_branch: local_text(env.CHANGE_BRANCH),
                target_branch: local_text(env.CHANGE_TARGET),
            }
            : null,
        actor: userLogin || userName || userEmail ? { login: userLogin, name: userName, email: userEmail } : null,
        serverUrl: local_text(env.JENKINS_URL)?.replace(/\/+$/, '') ?? null,
    };
}
function applyOverrides(facts, inputs) {
    const given = (name) => local_text(inputs[name]);
    const repository = given('repository');
    const ref = given('ref');
    const sha = given('sha');
    const number = local_count(inputs.pipeline_number);
    return {
        ...facts,
        pipeline: {
            ...facts.pipeline,
            name: given('pipeline_name') ?? facts.pipeline.name,
            number: number ?? facts.pipeline.number,
            url: given('pipeline_url') ?? facts.pipeline.url,
        },
        repository: repository
            ? {
                name: repository.split('/').pop() ?? null,
                full_name: repository,
                namespace: repository.includes('/') ? repository.slice(0, repository.lastIndexOf('/')) : null,
                url: facts.repository.full_name === repository ? facts.repository.url : null,
            }
            : facts.repository,
        ref: ref
            ? {
                name: ref,
                type: ref === facts.ref.name ? facts.ref.type : null,
                url: ref === facts.ref.name ? facts.ref.url : null,
            }
            : facts.ref,
        sha: sha ?? facts.sha,
        message: given('commit_message') ?? (sha && sha !== facts.sha ? null : facts.message),
        commitUrl: sha && sha !== facts.sha ? null : facts.commitUrl,
    };
}
/**
 * `https://user:token@host/acme/api.git` or `git@host:acme/api.git` → acme/api. Credentials in the
 * URL are dropped; an SSH remote gives no web address, so its url stays null.
 */
function repositoryFromGitUrl(gitUrl) {
    const none = { name: null, full_name: null, namespace: null, url: null };
    if (!gitUrl)
        return none;
    let host;
    let path;
    let web = false;
    const scp = /^[\w.-]+@([\w.-]+):(.+)$/.exec(gitUrl);
    if (scp) {
        host = scp[1];
        path = scp[2];
    }
    else {
        try {
            const url = new URL(gitUrl);
            host = url.host;
            path = url.pathname;
            web = url.protocol === 'https:' || url.protocol === 'http:';
            if (web)
                host = `${url.protocol}//${url.host}`;
        }
        catch {
            return none;
        }
    }
    const fullName = path
        .replace(/^\/+/, '')
        .replace(/\.git$/, '')
        .replace(/\/+$/, '');
    if (!fullName.includes('/'))
        return none;
    return {
        name: fullName.split('/').pop() ?? null,
        full_name: fullName,
        namespace: fullName.slice(0, fullName.lastIndexOf('/')),
        url: web ? `${host}/${fullName}` : null,
    };
}
/** Hosts whose commit pages live at `<repo>/commit/<sha>`; elsewhere we do not guess. */
const COMMIT_PAGE_HOSTS = new Set(['github.com', 'gitlab.com', 'gitee.com', 'codeup.aliyun.com']);
function commitUrlOf(repoUrl, sha) {
    if (!repoUrl)
        return null;
    try {
        return COMMIT_PAGE_HOSTS.has(new URL(repoUrl).host) ? `${repoUrl}/commit/${sha}` : null;
    }
    catch {
        return null;
    }
}
/** Jenkins GIT_BRANCH is `origin/main` (remote-qualified); people call it `main`. */
function stripRemote(branch) {
    return branch ? branch.replace(/^refs\/heads\//, '').replace(/^origin\//, '') : null;
}
function nonZeroSha(value) {
    const sha = local_text(value);
    return sha && !/^0+$/.test(sha) ? sha : null;
}
function list(value) {
    return (value ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}
function local_text(value) {
    return typeof value === 'string' && value.trim() !== '' ? value : null;
}
function local_count(value) {
    return value && /^\d+$/.test(value.trim()) ? Number(value.trim()) : null;
}

;// CONCATENATED MODULE: ./src/platform/local.ts
/**
 * Any other CI (Jenkins, Drone, a shell): inputs from NOTIFY_<NAME> variables, overridden by
 * --flags (`--notify-on` and `--notify_on` both work). Outputs go to stdout as a summary and, when
 * NOTIFY_OUTPUT_FILE / --output-file is set, to that file as name=value lines.
 */




/** Thrown for a flag we do not know or one without its value; main reports it as bad configuration. */
class UsageError extends Error {
}
/** Boolean inputs may be given as a bare flag (`--dry-run`). */
const BOOLEAN_INPUTS = new Set(['dry_run', 'fail_on_error', 'at_all']);
function parseArgs(argv) {
    const inputs = {};
    let help = false;
    let version = false;
    let outputFile = '';
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--help' || arg === '-h') {
            help = true;
            continue;
        }
        if (arg === '--version' || arg === '-v') {
            version = true;
            continue;
        }
        if (!arg.startsWith('--'))
            throw new UsageError(`unexpected argument "${arg.slice(0, 40)}"; inputs are given as --name value (see --help)`);
        const eq = arg.indexOf('=');
        const rawName = arg.slice(2, eq === -1 ? undefined : eq);
        const name = rawName.replace(/-/g, '_').toLowerCase();
        let value = eq === -1 ? undefined : arg.slice(eq + 1);
        if (name === 'output_file') {
            value ??= argv[++i];
            if (value === undefined)
                throw new UsageError('--output-file needs a path');
            outputFile = value;
            continue;
        }
        if (name.startsWith('no_') && BOOLEAN_INPUTS.has(name.slice(3)) && value === undefined) {
            inputs[name.slice(3)] = 'false';
            continue;
        }
        if (!INPUT_NAMES.has(name))
            throw new UsageError(`unknown flag --${rawName.slice(0, 40)}; see --help for the inputs`);
        if (value === undefined) {
            const next = argv[i + 1];
            if (BOOLEAN_INPUTS.has(name) && (next === undefined || next.startsWith('--')))
                value = 'true';
            else if (next === undefined)
                throw new UsageError(`--${rawName} needs a value`);
            else
                value = argv[++i];
        }
        inputs[name] = value;
    }
    return { inputs, help, version, outputFile };
}
function helpText() {
    const width = Math.max(...INPUTS.map((i) => i.name.length)) + 4;
    const lines = [
        `ci-notify ${VERSION} — tell your team how the pipeline went.`,
        '',
        'Usage: ci-notify --channel <type> --url <webhook> --status <status> [--name value …]',
        '       ci-notify --channels "$TARGETS_YAML" --status failure',
        '',
        'Every input is a flag (--notify-on or --notify_on) or a NOTIFY_<NAME> variable',
        '(NOTIFY_NOTIFY_ON); flags win. Prefer variables for secrets: flags show up in process lists.',
        '',
        'Inputs:',
        ...INPUTS.map((i) => {
            const flag = `  --${i.name.replace(/_/g, '-')}`;
            const extra = [i.default ? `default: ${i.default}` : '', i.secret ? 'secret' : ''].filter(Boolean).join('; ');
            return `${flag.padEnd(width + 2)} ${i.description}${extra ? ` (${extra})` : ''}`;
        }),
        `${'  --output-file'.padEnd(width + 2)} Also write the outputs (results, delivered, failed, status, event) to this file as name=value lines.`,
        `${'  --help, --version'.padEnd(width + 2)} This text; the version.`,
        '',
        'Exit codes: 0 delivered (or nothing to send); 1 a target could not be delivered;',
        '            2 bad configuration (the message names the input). With --fail-on-error false: always 0.',
        '',
        'Example: npx ci-notify --channel dingtalk --url "$DINGTALK_URL" --secret "$DINGTALK_SECRET" --status failure',
    ];
    return lines.join('\n');
}
function plainLogger(io, redact, debugEnabled) {
    return {
        info: (m) => io.stdout(redact(m)),
        warn: (m) => io.stderr(`warning: ${redact(m)}`),
        error: (m) => io.stderr(`error: ${redact(m)}`),
        debug: (m) => {
            if (debugEnabled)
                io.stderr(`debug: ${redact(m)}`);
        },
        async group(title, body) {
            io.stdout(`── ${redact(title)}`);
            return body();
        },
    };
}
function localPlatform(env, args, io, redact) {
    const log = plainLogger(io, redact, env.NOTIFY_DEBUG === 'true' || env.NOTIFY_DEBUG === '1');
    const outputFile = args.outputFile || env.NOTIFY_OUTPUT_FILE || '';
    let inputs = null;
    return {
        name: 'local',
        log,
        readInputs() {
            if (inputs)
                return inputs;
            inputs = {};
            for (const { name } of INPUTS) {
                const value = env[`NOTIFY_${name.toUpperCase()}`];
                if (value !== undefined && value !== '')
                    inputs[name] = value;
            }
            Object.assign(inputs, args.inputs); // flags win over variables
            return inputs;
        },
        mask() {
            /* no CI log masking outside GitHub; our own redactor still applies */
        },
        async buildEvent(input) {
            return localEvent(input, env, this.readInputs());
        },
        setOutput(name, value) {
            if (outputFile)
                (0,external_node_fs_.appendFileSync)(outputFile, `${name}=${value.replace(/\n/g, ' ')}\n`, 'utf8');
        },
        writeSummary(markdown) {
            io.stdout(redact(markdown));
        },
    };
}

;// CONCATENATED MODULE: ./src/index.ts
/**
 * Entry of the bundle: picks the platform (GitHub Actions, GitLab CI, or a plain CLI run), merges
 * the inputs (NOTIFY_* variables < platform inputs < --flags) and calls run().
 */







async function main() {
    const env = process.env;
    const stdout = (line) => process.stdout.write(`${line}\n`);
    const stderr = (line) => process.stderr.write(`${line}\n`);
    const redactor = new Redactor();
    const redact = (s) => redactor.redact(s);
    let args;
    try {
        args = parseArgs(process.argv.slice(2));
    }
    catch (err) {
        if (err instanceof UsageError) {
            stderr(`error: ${err.message}`);
            return EXIT_BAD_CONFIG;
        }
        throw err;
    }
    if (args.help) {
        stdout(helpText());
        return 0;
    }
    if (args.version) {
        stdout(VERSION);
        return 0;
    }
    const local = localPlatform(env, args, { stdout, stderr }, redact);
    let platform = local;
    if (env.GITHUB_ACTIONS === 'true')
        platform = githubPlatform(env, { stdout }, redact);
    else if (env.GITLAB_CI === 'true')
        platform = gitlabPlatform(env, stdout, redact);
    // NOTIFY_* variables and flags work everywhere (a `run:` step on GitHub, after_script on GitLab).
    const inputs = { ...local.readInputs(), ...(platform === local ? {} : platform.readInputs()), ...args.inputs };
    return run({ platform, inputs, env, redactor, uuid: external_node_crypto_.randomUUID });
}
main().then((code) => {
    process.exitCode = code;
}, (err) => {
    // Last resort: never print a raw error that may quote a secret.
    process.stderr.write(`error: ci-notify failed unexpectedly (${err instanceof Error ? err.name : 'error'}); rerun with NOTIFY_DEBUG=1 and report it\n`);
    process.exitCode = 1;
});

