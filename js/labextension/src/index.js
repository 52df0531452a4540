// JupyterLab 4 / Notebook 7 extension of obi_widgets: open market-data files as order-book notebooks.
//
// A double-click on a LOBSTER / Tardis CSV or a .gz capture (or right-click -> Open With -> Order book
// explorer, or the "Open with order-book explorer" command) asks the server extension
// (obi_widgets/jupyter/server.py, GET obi-widgets/starter) for the starter notebook of the file, saves
// it beside the file, opens it and runs all its cells. The launcher card "Order-book notebook" does the
// same for the simulated market. A file the kit cannot read gives a notification saying why.
// Plain JS (ES module) built by @jupyter/builder; JSDoc types are for readers, not type-checked.

import { ILayoutRestorer } from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { PageConfig, PathExt, URLExt } from '@jupyterlab/coreutils';
import { ABCWidgetFactory, DocumentWidget, TextModelFactory } from '@jupyterlab/docregistry';
import { IDefaultFileBrowser, IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { ServerConnection } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { LabIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

const PLUGIN_ID = 'obi-widgets-jupyterlab:plugin';
const FACTORY = 'Order book explorer';
const MODEL = 'obi-widgets-placeholder';
const CMD_NEW = 'obi-widgets:new-notebook';
const CMD_OPEN = 'obi-widgets:open-file';
const CMD_OPEN_SELECTED = 'obi-widgets:open-selected';
const DEFAULT_LEVELS = 10;

const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">' +
  '<g class="jp-icon3" fill="#616161">' +
  '<rect x="2" y="3" width="9" height="3"/><rect x="5" y="8" width="6" height="3"/><rect x="7" y="13" width="4" height="3"/>' +
  '</g><g fill="#e53935"><rect x="13" y="3" width="6" height="3"/><rect x="13" y="8" width="9" height="3"/>' +
  '<rect x="13" y="13" width="3" height="3"/></g>' +
  '<rect x="2" y="19" width="20" height="2" class="jp-icon3" fill="#616161"/></svg>';
const obiIcon = new LabIcon({ name: 'obi-widgets:book', svgstr: ICON_SVG });

/** The file types the explorer opens by default (a name pattern, or the .gz extension). */
const FILE_TYPES = [
  {
    name: 'obi-lobster',
    displayName: 'LOBSTER order book',
    // <TICKER>_<date>_<start>_<end>_message_<L>[...].csv[.gz] and its _orderbook_ partner
    pattern: '^[^/]+_\\d{4}-\\d{2}-\\d{2}_\\d+_\\d+_(message|orderbook)_\\d+[^/]*\\.csv(\\.gz)?$',
    extensions: [],
    mimeTypes: ['text/csv'],
    fileFormat: 'text',
    contentType: 'file',
  },
  {
    name: 'obi-tardis',
    displayName: 'Tardis market data',
    // <exchange>_incremental_book_L2_<date>_<symbol>.csv[.gz], book_snapshot_<N>, trades
    pattern: '(^|[_-])(incremental_book_L2|book_snapshot_\\d+|trades)([_.-][^/]*)?\\.csv(\\.gz)?$',
    extensions: [],
    mimeTypes: ['text/csv'],
    fileFormat: 'text',
    contentType: 'file',
  },
  {
    name: 'obi-gz',
    displayName: 'Gzip-compressed data (e.g. a Binance capture)',
    extensions: ['.gz'],
    mimeTypes: ['application/gzip'],
    fileFormat: 'base64',
    contentType: 'file',
  },
];

/** The placeholder document's model: never loads the file's content (the server reads its head). */
class PlaceholderModelFactory extends TextModelFactory {
  get name() {
    return MODEL;
  }
  /** @returns {null} no content is fetched for the placeholder */
  get fileFormat() {
    return /** @type {any} */ (null);
  }
}

/** Ask the server for a starter notebook. @returns {Promise<any>} the reply, or null after a notification */
async function fetchStarter(query) {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'obi-widgets', 'starter') + URLExt.objectToQueryString(query);
  let response;
  try {
    response = await ServerConnection.makeRequest(url, { method: 'GET' }, settings);
  } catch (err) {
    Notification.error(`Order book explorer: the server cannot be reached (${err})`, { autoClose: false });
    return null;
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const why =
      body && body.message
        ? body.message
        : response.status === 404
          ? 'the obi_widgets server extension is not enabled (jupyter server extension list)'
          : `HTTP ${response.status}`;
    Notification.error(`Cannot open as an order book: ${why}`, { autoClose: false });
    return null;
  }
  return body;
}

/** A notebook path in `dir` named after `name` that no file has yet (`stem-1.ipynb`, ...).
 * Lists the folder rather than probing each name (a probe's 404 would be logged as a console error). */
async function freePath(contents, dir, name) {
  const stem = name.replace(/\.ipynb$/, '');
  const listing = await contents.get(dir, { content: true });
  const taken = new Set((listing.content || []).map(item => item.name));
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? `${stem}.ipynb` : `${stem}-${n}.ipynb`;
    if (!taken.has(candidate)) {
      return PathExt.join(dir, candidate);
    }
  }
}

/** Save `reply.notebook` at a free path in `dir`, open it and run all its cells. */
async function createAndRun(app, reply, dir) {
  const contents = app.serviceManager.contents;
  const path = await freePath(contents, dir, reply.name);
  await contents.save(path, { type: 'notebook', format: 'json', content: reply.notebook });
  if (app.name !== 'JupyterLab') {
    // Notebook 7 (and other single-document shells) show each notebook in its own browser tab
    window.open(URLExt.join(PageConfig.getBaseUrl(), 'notebooks', URLExt.encodeParts(path)), '_blank');
    return path;
  }
  const widget = await app.commands.execute('docmanager:open', { path, factory: 'Notebook' });
  if (!widget || !widget.context) {
    return path;
  }
  await widget.context.ready;
  await widget.context.sessionContext.ready;
  app.shell.activateById(widget.id);
  await app.commands.execute('notebook:run-all-cells');
  return path;
}

/** Open `path` (relative to the server's root) as an order-book notebook. @returns {Promise<string|null>} */
async function openFile(app, path, levels) {
  const reply = await fetchStarter({ path, levels });
  if (!reply) {
    return null;
  }
  const dir = PathExt.dirname(reply.path || path);
  return createAndRun(app, reply, dir === '.' ? '' : dir);
}

/** The widget factory: a placeholder that starts the notebook and closes itself. */
class ExplorerFactory extends ABCWidgetFactory {
  constructor(options, app, levels) {
    super(options);
    this._app = app;
    this._levels = levels;
  }

  createNewWidget(context) {
    const content = new Widget();
    content.addClass('obi-widgets-placeholder');
    content.node.textContent = `Opening ${context.path} as an order-book notebook...`;
    const widget = new DocumentWidget({ content, context });
    widget.title.icon = obiIcon;
    const done = () => {
      if (!widget.isDisposed) {
        widget.close();
      }
    };
    openFile(this._app, context.path, this._levels())
      .catch(err => Notification.error(`Order book explorer: ${err}`, { autoClose: false }))
      .then(done, done);
    return widget;
  }
}

/** The selected files of the file browser the user right-clicked (or the default one). */
function selectedFiles(factory, defaultBrowser) {
  const browser = (factory && factory.tracker.currentWidget) || defaultBrowser;
  if (!browser) {
    return [];
  }
  return Array.from(browser.selectedItems()).filter(item => item.type !== 'directory');
}

/** @type {import('@jupyterlab/application').JupyterFrontEndPlugin<void>} */
const plugin = {
  id: PLUGIN_ID,
  description: 'Open LOBSTER, Tardis and Binance market-data files as running order-book notebooks.',
  autoStart: true,
  optional: [ILauncher, ICommandPalette, ISettingRegistry, IFileBrowserFactory, IDefaultFileBrowser, ILayoutRestorer],
  activate: (app, launcher, palette, settingRegistry, browserFactory, defaultBrowser) => {
    let levels = DEFAULT_LEVELS;
    const readLevels = () => levels;
    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          const update = () => {
            const value = settings.get('defaultLevels').composite;
            levels = typeof value === 'number' && value >= 1 ? value : DEFAULT_LEVELS;
          };
          update();
          settings.changed.connect(update);
        })
        .catch(err => console.warn(`obi-widgets: settings not loaded (${err})`));
    }

    const registry = app.docRegistry;
    for (const ft of FILE_TYPES) {
      registry.addFileType({ ...ft, icon: obiIcon });
    }
    registry.addModelFactory(new PlaceholderModelFactory());
    const factory = new ExplorerFactory(
      {
        name: FACTORY,
        label: FACTORY,
        modelName: MODEL,
        fileTypes: ['obi-lobster', 'obi-tardis', 'obi-gz', 'csv'],
        defaultFor: ['obi-lobster', 'obi-tardis', 'obi-gz'],
        readOnly: true,
      },
      app,
      readLevels,
    );
    registry.addWidgetFactory(factory);

    const cwd = args =>
      typeof args.cwd === 'string' ? args.cwd : defaultBrowser ? defaultBrowser.model.path : '';

    app.commands.addCommand(CMD_NEW, {
      label: args => (args.isLauncher ? 'Order-book notebook' : 'New order-book notebook'),
      caption: 'A new notebook with a Dashboard of the simulated limit-order book, run at once',
      icon: args => (args.isPalette ? undefined : obiIcon),
      execute: async args => {
        const reply = await fetchStarter({ sim: 1, levels: readLevels() });
        return reply ? createAndRun(app, reply, cwd(args)) : null;
      },
    });
    app.commands.addCommand(CMD_OPEN, {
      label: 'Open file as an order-book notebook',
      execute: args => openFile(app, String(args.path), readLevels()),
    });
    app.commands.addCommand(CMD_OPEN_SELECTED, {
      label: 'Open with order-book explorer',
      caption: 'A notebook beside the selected market-data file that loads it and shows a Dashboard',
      icon: args => (args.isPalette ? undefined : obiIcon),
      isEnabled: () => selectedFiles(browserFactory, defaultBrowser).length > 0,
      execute: async () => {
        const files = selectedFiles(browserFactory, defaultBrowser);
        const opened = [];
        for (const item of files) {
          opened.push(await openFile(app, item.path, readLevels()));
        }
        return opened;
      },
    });

    if (launcher) {
      // its own category: in 'Notebook' the launcher draws kernel cards (a letter, not the command's icon)
      launcher.add({ command: CMD_NEW, category: 'Order book', rank: 1, args: { isLauncher: true } });
    }
    if (palette) {
      palette.addItem({ command: CMD_NEW, category: 'Order book', args: { isPalette: true } });
      palette.addItem({ command: CMD_OPEN_SELECTED, category: 'Order book', args: { isPalette: true } });
    }
    app.contextMenu.addItem({
      command: CMD_OPEN_SELECTED,
      selector: '.jp-DirListing-item[data-isdir="false"]',
      rank: 3,
    });
  },
};

export default plugin;
